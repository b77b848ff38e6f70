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
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.reports.domain.Report;
import org.civiccredit.reports.domain.ReportStatus;

/** Row of table {@code report}. */
@Entity
@Table(name = "report")
public class ReportEntity extends PanacheEntityBase {

    @Id
    @Column(name = "report_id")
    public UUID reportId;

    @Column(name = "agency_id")
    public String agencyId;

    @Column(name = "participant_id")
    public UUID participantId;

    @Column(name = "rule_code")
    public String ruleCode;

    @Column(name = "rule_table_version")
    public long ruleTableVersion;

    @Enumerated(EnumType.STRING)
    public ConductCategory category;

    @Column(name = "rule_title")
    public String ruleTitle;

    public int quantity;

    @Column(name = "occurred_at")
    public Instant occurredAt;

    @Column(name = "received_at")
    public Instant receivedAt;

    @Column(name = "evidence_ref")
    public String evidenceRef;

    public String note;

    @Enumerated(EnumType.STRING)
    public ReportStatus status;

    @Column(name = "status_changed_at")
    public Instant statusChangedAt;

    @Column(name = "withdrawal_reason")
    public String withdrawalReason;

    public Report toDomain(String agencyName) {
        return new Report(reportId, agencyId, agencyName, participantId, ruleCode, ruleTableVersion, category,
                ruleTitle, quantity, occurredAt, receivedAt, evidenceRef, note, status, statusChangedAt,
                withdrawalReason);
    }
}
