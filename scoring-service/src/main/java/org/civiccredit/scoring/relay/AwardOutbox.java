package org.civiccredit.scoring.relay;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.UUID;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.FreezeAwardRequest;
import org.civiccredit.api.rewards.v1.ReleaseAwardRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardRequest;
import org.civiccredit.kit.outbox.Outbox;
import org.civiccredit.scoring.domain.ScoreEvent;

/**
 * Writes, in the transaction of a score event's change, what it means for the participant's award at
 * rewards-service: the award itself, and its freeze, release and reversal when the event had one. Rows go to
 * the participant's stream, so a freeze or reversal never overtakes its award; each row's idempotency key is
 * its own, and rewards-service is idempotent on the report id whatever the key.
 */
@ApplicationScoped
public class AwardOutbox {

    /** The outcome of a row cancelled because its participant was erased before it was delivered. */
    public static final String CANCELLED_BY_ERASURE = "CANCELLED PARTICIPANT_ERASED";

    @Inject
    Outbox outbox;

    @Inject
    EntityManager em;

    @Transactional(Transactional.TxType.MANDATORY)
    public void award(ScoreEvent event) {
        add(OutboxKind.REWARDS_AWARD_POINTS, event, AwardPointsRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString())
                .setReportId(event.reportId())
                .setParticipantId(event.participantId())
                .setPoints(event.awardPoints())
                .setRuleCode(event.ruleCode())
                .setRuleTableVersion(event.ruleTableVersion())
                .build());
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void freeze(ScoreEvent event) {
        add(OutboxKind.REWARDS_FREEZE_AWARD, event, FreezeAwardRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(event.reportId()).build());
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void release(ScoreEvent event) {
        add(OutboxKind.REWARDS_RELEASE_AWARD, event, ReleaseAwardRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(event.reportId()).build());
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void reverse(ScoreEvent event) {
        add(OutboxKind.REWARDS_REVERSE_AWARD, event, ReverseAwardRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(event.reportId())
                .setReason(event.reversalReason()).build());
    }

    /**
     * Closes the participant's rows not yet delivered, as part of erasing them, and drops their payloads (which
     * name the participant and may carry a reviewer's reason). Delivering them has become pointless:
     * rewards-service, erasing the participant as well, refuses what arrives after its erasure and forfeits
     * what arrived before. A relay delivering one of these rows at this moment may still finish it; its
     * receiver is idempotent.
     *
     * @return how many rows were cancelled
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int cancelPending(String participantId) {
        outbox.holdStreams(participantId, "rewards");
        return em.createNativeQuery("""
                UPDATE outbox SET delivered_at = now(), outcome = ?2, payload = ''::bytea
                WHERE target = 'rewards' AND stream = ?1 AND delivered_at IS NULL""")
                .setParameter(1, participantId).setParameter(2, CANCELLED_BY_ERASURE).executeUpdate();
    }

    private void add(OutboxKind kind, ScoreEvent event, com.google.protobuf.Message request) {
        outbox.add(kind, event.participantId(), request, reportUuid(event.reportId()));
    }

    /** The outbox keeps report ids as UUIDs (reports-service's ids are); another id is kept in the payload only. */
    private static UUID reportUuid(String reportId) {
        try {
            return UUID.fromString(reportId);
        } catch (IllegalArgumentException notAUuid) {
            return null;
        }
    }
}
