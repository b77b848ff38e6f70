package org.civiccredit.scoring.service;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.scoring.cache.CurrentTiers;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.domain.ScoreChangeCause;
import org.civiccredit.scoring.domain.Tiers;
import org.civiccredit.scoring.persistence.ParticipantEntity;
import org.jboss.logging.Logger;

/**
 * The expiry sweep: when a contributing event's counting window ends, the participant's score changes without
 * any call, so the sweep bumps the score version and announces the new score like any other change. It finds
 * due participants by {@code participant.score_valid_until} (indexed), so a pass costs what is due, not what
 * exists; instances share the work through {@code FOR UPDATE SKIP LOCKED}. A due participant's stored score
 * sum no longer holds, so the sweep sums their events again and stores the sum with its new validity. Each
 * batch that changes scores is one audit entry.
 */
@ApplicationScoped
public class ScoreExpiries {

    /** The audit entry of a sweep batch: what it did and who did it. */
    public static final String AUDIT_ACTION = "sweep:expire-score-entries";
    public static final String AUDIT_ACTOR = "system:expiry-sweep";

    private static final Logger LOG = Logger.getLogger(ScoreExpiries.class);

    @Inject
    EntityManager em;

    @Inject
    Scores scores;

    @Inject
    CurrentTiers currentTiers;

    @Inject
    ScoringConfig config;

    @Inject
    Event<ScoreChange> changes;

    @Inject
    AuditLog audit;

    @Scheduled(every = "${scoring.live.expiry-sweep-every:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSweep() {
        try {
            while (sweep(Instant.now()) == config.live().expirySweepBatch()) {
                LOG.debug("expiry sweep: a full batch, sweeping on");
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "expiry sweep failed; the next pass retries");
        }
    }

    /** Sweeps one batch of participants whose score stopped holding at {@code now}; returns how many. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int sweep(Instant now) {
        @SuppressWarnings("unchecked")
        List<String> due = em.createNativeQuery("""
                SELECT participant_id FROM participant WHERE score_valid_until <= ?1
                ORDER BY score_valid_until LIMIT ?2 FOR UPDATE SKIP LOCKED""")
                .setParameter(1, now).setParameter(2, config.live().expirySweepBatch()).getResultList();
        if (due.isEmpty()) {
            return 0;
        }
        Tiers tiers = currentTiers.get();
        List<String> endedEvents = new ArrayList<>();
        for (String participantId : due) {
            // Row-locked by the query above, like every other change of this participant's score.
            ParticipantEntity participant = ParticipantEntity.findById(participantId);
            @SuppressWarnings("unchecked")
            List<Object[]> ended = em.createNativeQuery("""
                    SELECT report_id, CAST(event_id AS varchar) FROM score_event
                    WHERE participant_id = ?1 AND status IN ('COUNTING', 'FROZEN') AND (status = 'COUNTING' OR delta > 0)
                      AND counts_until >= ?2 AND counts_until <= ?3
                    ORDER BY counts_until DESC LIMIT 1""")
                    .setParameter(1, participantId).setParameter(2, participant.scoreValidUntil)
                    .setParameter(3, now).getResultList();
            participant.scoreVersion++;
            LiveScore live = scores.resum(participant, tiers, now);
            String reportId = ended.isEmpty() ? "" : (String) ended.get(0)[0];
            String eventId = ended.isEmpty() ? "" : (String) ended.get(0)[1];
            changes.fire(new ScoreChange(participantId, live, live.version(), ScoreChangeCause.EVENT_EXPIRED,
                    reportId, eventId));
            if (!eventId.isEmpty()) {
                endedEvents.add("event_id=" + eventId);
            }
        }
        // One entry per batch, naming the events whose windows ended (never the participants).
        audit.record(AUDIT_ACTION, AUDIT_ACTOR, String.join(",", endedEvents));
        return due.size();
    }
}
