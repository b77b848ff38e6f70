package org.civiccredit.scoring.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FlushModeType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.scoring.domain.EventStatus;
import org.civiccredit.scoring.domain.ReversalCause;
import org.civiccredit.scoring.domain.ScoreEvent;

/** One score event row: the effect of one report, with its provenance and decided status. */
@Entity
@Table(name = "score_event")
public class ScoreEventEntity extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "report_id", nullable = false)
    public String reportId;

    @Column(name = "participant_id")
    public String participantId;

    @Column(name = "agency_id", nullable = false)
    public String agencyId;

    @Column(name = "rule_code", nullable = false)
    public String ruleCode;

    @Column(name = "rule_table_version", nullable = false)
    public long ruleTableVersion;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ConductCategory category;

    @Column(name = "rule_title", nullable = false)
    public String ruleTitle;

    public int quantity;

    @Column(name = "counted_units")
    public int countedUnits;

    @Column(name = "uncapped_delta")
    public long uncappedDelta;

    public long delta;

    public boolean capped;

    @Column(name = "award_points")
    public long awardPoints;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(name = "applied_at", nullable = false)
    public Instant appliedAt;

    @Column(name = "counts_until", nullable = false)
    public Instant countsUntil;

    /** Time zone the event's cap periods were chosen in. */
    @Column(name = "cap_zone", nullable = false)
    public String capZone;

    @Column(name = "evidence_ref", nullable = false)
    public String evidenceRef;

    /** COUNTING, FROZEN or REVERSED; EXPIRED is derived, never stored. */
    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public EventStatus status;

    @Column(name = "frozen_at")
    public Instant frozenAt;

    @Column(name = "reversed_at")
    public Instant reversedAt;

    @Enumerated(EnumType.STRING)
    @Column(name = "reversal_cause")
    public ReversalCause reversalCause;

    @Column(name = "reversal_reason")
    public String reversalReason;

    public ScoreEvent toDomain() {
        return new ScoreEvent(eventId, reportId, participantId, agencyId, ruleCode, ruleTableVersion, category,
                ruleTitle, quantity, countedUnits, uncappedDelta, delta, capped, awardPoints, occurredAt, appliedAt,
                countsUntil, evidenceRef, status, frozenAt, reversedAt,
                reversalCause, reversalReason);
    }

    /**
     * The event recorded for a report, or null; read without flushing the session first. Hibernate would otherwise
     * write every change pending in the session before this query, one statement each: in a batch (ItemBatches),
     * every earlier item's event and participant row, so that a batch of n reports sent 2n writes one by one instead
     * of two JDBC batches at commit. What the read cannot see is an event for the same report pending in this
     * transaction, i.e. the same report twice in one batch: the second insert then fails on the unique report id at
     * commit, and ItemBatches applies the batch again item by item, where this read sees the first.
     */
    public static ScoreEventEntity ofReportUnflushed(String reportId) {
        return getEntityManager().createQuery("FROM ScoreEventEntity e WHERE e.reportId = :report",
                        ScoreEventEntity.class)
                .setParameter("report", reportId).setFlushMode(FlushModeType.COMMIT).getResultStream().findFirst()
                .orElse(null);
    }
}
