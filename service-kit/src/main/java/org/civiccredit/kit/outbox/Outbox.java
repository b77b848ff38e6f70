package org.civiccredit.kit.outbox;

import com.google.protobuf.Message;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.civiccredit.kit.persistence.BatchScope;
import org.civiccredit.kit.persistence.NativeWrites;

/**
 * Writes outbox rows in the caller's transaction, so a change and its announcement commit or roll back
 * together. Rows of one stream (target service and participant) are delivered in the order written; the
 * caller keeps that order meaningful by serialising writes per participant (a row lock). Each service that
 * uses it has the {@code outbox} table (see its migrations). In a batched call's transaction ({@link BatchScope})
 * the items' rows are written together when the last item is done, one statement for all of them.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    EntityManager em;

    @Inject
    BatchScope batch;

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
        Row row = new Row(target, kind, stream, request.toByteArray(), reportId);
        List<Row> pending = batch.deferred(Outbox.class, ArrayList::new, this::insert);
        if (pending != null) {
            pending.add(row);
        } else {
            insert(List.of(row));
        }
    }

    /** A row to add. */
    private record Row(String target, String kind, String stream, byte[] payload, UUID reportId) {
    }

    /** Adds rows in one statement; their ids (the relay's order) follow the list's order. */
    private void insert(List<Row> rows) {
        Timestamp now = Timestamp.from(Instant.now());
        if (rows.size() == 1) {
            Row row = rows.get(0);
            NativeWrites.on(em, """
                    INSERT INTO outbox (target, stream, kind, payload, report_id, created_at, next_attempt_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)""", "outbox")
                    .setParameter(1, row.target()).setParameter(2, row.stream()).setParameter(3, row.kind())
                    .setParameter(4, row.payload()).setParameter(5, row.reportId()).setParameter(6, now)
                    .executeUpdate();
            return;
        }
        int n = rows.size();
        String[] targets = new String[n];
        String[] streams = new String[n];
        String[] kinds = new String[n];
        String[] payloads = new String[n];
        String[] reports = new String[n];
        for (int i = 0; i < n; i++) {
            Row row = rows.get(i);
            targets[i] = row.target();
            streams[i] = row.stream();
            kinds[i] = row.kind();
            payloads[i] = HexFormat.of().formatHex(row.payload());
            reports[i] = row.reportId() == null ? null : row.reportId().toString();
        }
        NativeWrites.on(em, """
                INSERT INTO outbox (target, stream, kind, payload, report_id, created_at, next_attempt_at)
                SELECT o.target, o.stream, o.kind, decode(o.payload, 'hex'), cast(o.report AS uuid),
                       cast(?6 AS timestamptz), cast(?6 AS timestamptz)
                FROM unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS text[]), cast(?4 AS text[]),
                            cast(?5 AS text[])) WITH ORDINALITY AS o(target, stream, kind, payload, report, n)
                ORDER BY o.n""", "outbox")
                .setParameter(1, targets).setParameter(2, streams).setParameter(3, kinds)
                .setParameter(4, payloads).setParameter(5, reports).setParameter(6, now)
                .executeUpdate();
    }
}
