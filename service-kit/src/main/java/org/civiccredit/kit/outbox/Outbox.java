package org.civiccredit.kit.outbox;

import com.google.protobuf.Message;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.civiccredit.kit.persistence.NativeWrites;

/**
 * Writes outbox rows in the caller's transaction, so a change and its announcement commit or roll back
 * together. Rows of one stream (target service and participant) are delivered in the order written; the
 * caller keeps that order meaningful by serialising writes per participant (a row lock). Each service that
 * uses it has the {@code outbox} table (see its migrations).
 */
@ApplicationScoped
public class Outbox {

    @Inject
    EntityManager em;

    /** Adds a row of {@code route}'s kind for its target service. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void add(OutboxRoute route, String stream, Message request, UUID reportId) {
        add(route.target(), route.name(), stream, request, reportId);
    }

    /**
     * Takes the given targets' streams {@code stream} from the relay until the current transaction ends, waiting
     * for a relay pass that holds one of them to finish: for a change to a stream's undelivered rows (an erasure
     * closing them) that must not interleave with their delivery. A relay pass marks a stream's rows one call at
     * a time, so an UPDATE of all of them at once could otherwise take them in another order and deadlock with
     * it. The relay skips a stream held here. Call it before touching other rows a delivery may touch (the
     * relay's own locks come first in its passes too).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void holdStreams(String stream, String... targets) {
        String[] sorted = targets.clone();
        Arrays.sort(sorted);
        for (String target : sorted) {
            em.createNativeQuery("SELECT pg_advisory_xact_lock(hashtext(?1))")
                    .setParameter(1, OutboxRelay.streamLockName(target, stream)).getSingleResult();
        }
    }

    /**
     * @param target the receiving service, e.g. {@code "scoring"}
     * @param kind what the row asks for; the service's {@link OutboxDelivery} knows how to deliver it
     * @param stream the ordering key, usually the participant id
     * @param request the request message of the call
     * @param reportId the report the row is about, or null
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void add(String target, String kind, String stream, Message request, UUID reportId) {
        Instant now = Instant.now();
        NativeWrites.on(em, """
                INSERT INTO outbox (target, stream, kind, payload, report_id, created_at, next_attempt_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)""", "outbox")
                .setParameter(1, target)
                .setParameter(2, stream)
                .setParameter(3, kind)
                .setParameter(4, request.toByteArray())
                .setParameter(5, reportId)
                .setParameter(6, now)
                .executeUpdate();
    }
}
