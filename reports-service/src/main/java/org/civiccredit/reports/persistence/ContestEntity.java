package org.civiccredit.reports.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.civiccredit.reports.domain.Contest;

/** Row of table {@code contest}. */
@Entity
@Table(name = "contest")
public class ContestEntity extends PanacheEntityBase {

    @Id
    @Column(name = "contest_id")
    public UUID contestId;

    @Column(name = "report_id")
    public UUID reportId;

    @Column(name = "participant_id")
    public UUID participantId;

    public String statement;

    @Column(name = "opened_at")
    public Instant openedAt;

    @Enumerated(EnumType.STRING)
    public Contest.State state;

    @Column(name = "decided_at")
    public Instant decidedAt;

    @Column(name = "decision_reason")
    public String decisionReason;

    public String reviewer;

    public Contest toDomain() {
        return new Contest(contestId, reportId, participantId, statement, openedAt, state, decidedAt,
                decisionReason, reviewer);
    }
}
