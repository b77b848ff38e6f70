package org.civiccredit.reports.relay;

import com.google.protobuf.Message;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/**
 * Writes outbox rows in the caller's transaction, so a change and its announcement commit or roll back
 * together. Rows of one stream (target service and participant) are delivered in the order written.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    EntityManager em;

    @Transactional(Transactional.TxType.MANDATORY)
    public void add(OutboxKind kind, UUID participantId, Message request, UUID reportId) {
        Instant now = Instant.now();
        em.createNativeQuery("""
                INSERT INTO outbox (target, stream, kind, payload, report_id, created_at, next_attempt_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)""")
                .setParameter(1, kind.target())
                .setParameter(2, participantId.toString())
                .setParameter(3, kind.name())
                .setParameter(4, request.toByteArray())
                .setParameter(5, reportId)
                .setParameter(6, now)
                .executeUpdate();
    }
}
