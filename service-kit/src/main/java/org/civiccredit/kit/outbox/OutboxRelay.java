package org.civiccredit.kit.outbox;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import org.civiccredit.kit.persistence.NativeReads;
import org.civiccredit.kit.persistence.NativeWrites;
import org.civiccredit.kit.schedule.Ticks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Delivers outbox rows through the service's {@link OutboxDelivery}: each stream (target service, participant) in
 * the order written, one instance at a time per stream (a transaction-scoped advisory lock), with
 * exponential backoff while a receiver is down. Receivers are idempotent, so a row delivered twice (a crash
 * between the call and the commit) does no harm; a row is never lost, because it only leaves the pending
 * set when its delivery was acknowledged.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Refusals that a retry cannot change; such rows are closed with the refusal as their outcome. */
    private static final Set<Status.Code> FINAL = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
            Status.Code.ALREADY_EXISTS, Status.Code.FAILED_PRECONDITION);
    /** Preconditions that resolve themselves (the participant's registration is still on its way). */
    private static final Set<String> TRANSIENT_REASONS = Set.of("PARTICIPANT_NOT_REGISTERED");
    private static final int ROWS_PER_STREAM = 50;

    @Inject
    Instance<OutboxDelivery> delivery;

    @Inject
    EntityManager em;

    @Inject
    RelayConfig config;

    /** Runs up to {@code relay.parallelism} relay transactions at once. */
    private ExecutorService workers;

    @Inject
    Ticks ticks;

    /**
     * Passes every {@code relay.every}: by {@link Ticks}, since Quarkus' scheduler runs nothing more than once a
     * second.
     */
    void start(@Observes StartupEvent started) {
        ticks.every(config.every(), Duration.ofSeconds(1), "outbox relay pass", this::scheduledPass);
    }

    void scheduledPass() {
        if (!delivery.isResolvable()) {
            return;
        }
        try {
            relayDue();
        } catch (RuntimeException e) {
            LOG.warnf(e, "outbox relay pass failed; the next pass retries");
        }
    }

    /**
     * One pass: delivers the streams whose head row is due, {@code relay.streams-per-transaction} streams to a
     * transaction and up to {@code relay.parallelism} transactions at once (each stream in one transaction, by one
     * worker, so its rows keep their order), and goes on with the next batch of due streams as long as the last
     * one delivered something and {@code relay.max-pass} has not passed — under load the outbox drains
     * continuously instead of one batch per tick. Returns the number of rows delivered.
     */
    public int relayDue() {
        long deadline = System.nanoTime() + config.maxPass().toNanos();
        int total = 0;
        while (true) {
            @SuppressWarnings("unchecked")
            List<Object[]> heads = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                    SELECT target, stream FROM (
                        SELECT DISTINCT ON (target, stream) id, target, stream, next_attempt_at
                        FROM outbox WHERE delivered_at IS NULL ORDER BY target, stream, id) head
                    WHERE next_attempt_at <= now() ORDER BY id LIMIT ?1""")
                    .setParameter(1, config.batchSize()).getResultList());
            int perTransaction = Math.max(1, config.streamsPerTransaction());
            List<Future<Integer>> passes = new ArrayList<>(heads.size() / perTransaction + 1);
            for (int from = 0; from < heads.size(); from += perTransaction) {
                List<Object[]> streams = heads.subList(from, Math.min(heads.size(), from + perTransaction));
                passes.add(workers.submit(() -> inRequestContext(() -> relayStreams(streams))));
            }
            int delivered = 0;
            for (Future<Integer> pass : passes) {
                delivered += outcomeOf(pass);
            }
            total += delivered;
            if (delivered == 0 || System.nanoTime() > deadline) {
                return total;
            }
        }
    }

    /**
     * Delivers several streams in one transaction (each stream under its own advisory lock, its rows in order,
     * rows of different streams batched into one call where the delivery allows it). If that transaction fails,
     * nothing of it was committed, and each stream is tried again in a transaction of its own, so a stream that
     * keeps failing only ever holds back itself.
     */
    private int relayStreams(List<Object[]> streams) {
        if (streams.size() > 1) {
            try {
                return QuarkusTransaction.requiringNew().call(() -> deliverTogether(streams));
            } catch (RuntimeException e) {
                LOG.debugf(e, "outbox pass over %d streams failed; retrying them one by one", streams.size());
            }
        }
        int delivered = 0;
        for (Object[] head : streams) {
            try {
                delivered += QuarkusTransaction.requiringNew().call(() -> deliverTogether(List.<Object[]>of(head)));
            } catch (RuntimeException e) {
                LOG.warnf(e, "outbox stream %s/%s pass failed; the next pass retries", head[0], head[1]);
            }
        }
        return delivered;
    }

    /** Runs a delivery with a request context of its own, as the scheduler's thread had one. */
    private static <T> T inRequestContext(java.util.concurrent.Callable<T> work) throws Exception {
        ManagedContext context = Arc.container().requestContext();
        context.activate();
        try {
            return work.call();
        } finally {
            context.terminate();
        }
    }

    private static int outcomeOf(Future<Integer> pass) {
        try {
            return pass.get();
        } catch (ExecutionException e) {
            LOG.warnf(e.getCause(), "outbox stream pass failed; the next pass retries");
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @PostConstruct
    void startWorkers() {
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(Math.max(1, config.parallelism()), r -> {
            Thread t = new Thread(r, "outbox-relay-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stopWorkers() {
        workers.shutdownNow();
    }

    /** An undelivered row of a stream this pass holds, and the stream's rows still to go (this row first). */
    private static final class PendingRow {
        final long id;
        final String kind;
        final byte[] payload;
        final int attempts;
        final Instant nextAttemptAt;
        final UUID reference;
        final Deque<PendingRow> stream;

        PendingRow(long id, String kind, byte[] payload, int attempts, Instant nextAttemptAt, UUID reference,
                Deque<PendingRow> stream) {
            this.id = id;
            this.kind = kind;
            this.payload = payload;
            this.attempts = attempts;
            this.nextAttemptAt = nextAttemptAt;
            this.reference = reference;
            this.stream = stream;
        }
    }

    /**
     * In the caller's transaction: takes each stream whose advisory lock is free, then delivers their rows round
     * by round. A round holds each stream's next due row; rows of one kind go in one call where the delivery
     * batches that kind (a batch never holds two rows of one stream, so each stream keeps its order). A stream
     * stops at a row to be retried later; the others go on. Returns the number of rows delivered.
     */
    private int deliverTogether(List<Object[]> streams) {
        List<Deque<PendingRow>> open = lockAndLoad(streams);
        int delivered = 0;
        while (true) {
            Instant now = Instant.now();
            Map<String, List<PendingRow>> round = new LinkedHashMap<>();
            for (Iterator<Deque<PendingRow>> it = open.iterator(); it.hasNext();) {
                PendingRow next = it.next().peekFirst();
                if (next == null || next.nextAttemptAt.isAfter(now)) {
                    it.remove();
                } else {
                    round.computeIfAbsent(next.kind, k -> new ArrayList<>()).add(next);
                }
            }
            if (round.isEmpty()) {
                return delivered;
            }
            for (Map.Entry<String, List<PendingRow>> sameKind : round.entrySet()) {
                List<PendingRow> rows = sameKind.getValue();
                for (int from = 0; from < rows.size(); from += OutboxDelivery.MAX_BATCH) {
                    List<PendingRow> call = rows.subList(from, Math.min(rows.size(), from + OutboxDelivery.MAX_BATCH));
                    List<StatusRuntimeException> outcomes = call(sameKind.getKey(), call);
                    List<PendingRow> acknowledged = new ArrayList<>(call.size());
                    for (int i = 0; i < call.size(); i++) {
                        PendingRow row = call.get(i);
                        StatusRuntimeException refusal = outcomes.get(i);
                        if (refusal == null) {
                            acknowledged.add(row);
                        }
                        if (refusal == null || settleRefused(row, refusal)) {
                            row.stream.pollFirst();
                            delivered++;
                        } else {
                            row.stream.clear();
                        }
                    }
                    settleAcknowledged(sameKind.getKey(), acknowledged);
                }
            }
        }
    }

    /** The name of the advisory lock a pass holds a stream under (see {@link Outbox#holdStreams}). */
    static String streamLockName(String target, String stream) {
        return target + "/" + stream;
    }

    /**
     * Takes each of the streams whose advisory lock is free and loads their undelivered rows (each stream's in order,
     * at most {@link #ROWS_PER_STREAM}), all in one statement; a stream another pass holds is left out. Returns the
     * streams that have rows, in the order given. The CTE is materialized, so each stream's lock is tried exactly once
     * and before its rows are read.
     */
    private List<Deque<PendingRow>> lockAndLoad(List<Object[]> streams) {
        int n = streams.size();
        String[] targets = new String[n];
        String[] names = new String[n];
        String[] locks = new String[n];
        for (int i = 0; i < n; i++) {
            targets[i] = (String) streams.get(i)[0];
            names[i] = (String) streams.get(i)[1];
            locks[i] = streamLockName(targets[i], names[i]);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                WITH mine AS MATERIALIZED (
                    SELECT s.ord, s.target, s.stream
                    FROM unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS text[])) WITH ORDINALITY
                        AS s(target, stream, lock_name, ord)
                    WHERE pg_try_advisory_xact_lock(hashtext(s.lock_name)))
                SELECT mine.ord, o.id, o.kind, o.payload, o.attempts, o.next_attempt_at, o.report_id
                FROM mine CROSS JOIN LATERAL (
                    SELECT id, kind, payload, attempts, next_attempt_at, report_id FROM outbox
                    WHERE target = mine.target AND stream = mine.stream AND delivered_at IS NULL
                    ORDER BY id LIMIT ?4) o
                ORDER BY mine.ord, o.id""")
                .setParameter(1, targets).setParameter(2, names).setParameter(3, locks)
                .setParameter(4, ROWS_PER_STREAM).getResultList();
        List<Deque<PendingRow>> open = new ArrayList<>();
        Deque<PendingRow> pending = null;
        long stream = -1;
        for (Object[] row : rows) {
            long ord = ((Number) row[0]).longValue();
            if (ord != stream) {
                stream = ord;
                pending = new ArrayDeque<>();
                open.add(pending);
            }
            pending.add(new PendingRow(((Number) row[1]).longValue(), (String) row[2], (byte[]) row[3],
                    ((Number) row[4]).intValue(), NativeReads.instant(row[5]), (UUID) row[6], pending));
        }
        return open;
    }

    /**
     * Makes the calls of {@code rows} (each of another stream): one batched call where the delivery batches their
     * kind, otherwise one call each. Returns one outcome per row: {@code null} when acknowledged, else its status.
     */
    private List<StatusRuntimeException> call(String kind, List<PendingRow> rows) {
        OutboxDelivery target = delivery.get();
        if (rows.size() > 1 && target.batches(kind)) {
            try {
                List<StatusRuntimeException> outcomes = target.deliverBatch(kind,
                        rows.stream().map(r -> r.payload).toList());
                if (outcomes.size() != rows.size()) {
                    throw Status.INTERNAL.withDescription("batched delivery answered " + outcomes.size()
                            + " results for " + rows.size() + " rows").asRuntimeException();
                }
                return outcomes;
            } catch (StatusRuntimeException wholeCall) {
                if (wholeCall.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                    return Collections.nCopies(rows.size(), wholeCall);
                }
                // A receiver that does not serve the batched call yet (an older version during an upgrade) still
                // serves the single one.
                LOG.debugf("batched delivery of %s not served by the receiver; delivering one by one", kind);
            }
        }
        List<StatusRuntimeException> outcomes = new ArrayList<>(rows.size());
        for (PendingRow row : rows) {
            try {
                target.deliver(kind, row.payload);
                outcomes.add(null);
            } catch (StatusRuntimeException e) {
                outcomes.add(e);
            }
        }
        return outcomes;
    }

    /**
     * Closes the rows of one call that were acknowledged, in one statement, and lets the delivery record what they
     * settled.
     */
    private void settleAcknowledged(String kind, List<PendingRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        Long[] ids = rows.stream().map(r -> r.id).toArray(Long[]::new);
        // The payload is needed only until delivery; clearing it keeps no copy of personal data behind.
        NativeWrites.on(em, "UPDATE outbox SET delivered_at = now(), outcome = 'OK', attempts = attempts + 1, "
                + "payload = ''::bytea WHERE id = ANY(cast(?1 AS bigint[]))", "outbox")
                .setParameter(1, ids).executeUpdate();
        List<UUID> references = new ArrayList<>(rows.size());
        for (PendingRow row : rows) {
            references.add(row.reference);
        }
        delivery.get().delivered(kind, references);
    }

    /**
     * Records a refused row's outcome: refused for good, the row is closed (and {@code true} returned); refused for
     * now, it is scheduled for a later attempt and its stream stops here ({@code false}).
     */
    private boolean settleRefused(PendingRow row, StatusRuntimeException failure) {
        String reason = reason(failure);
        if (!FINAL.contains(failure.getStatus().getCode()) || TRANSIENT_REASONS.contains(reason)) {
            retryLater(row.id, row.attempts, failure.getStatus().getCode() + ": "
                    + failure.getStatus().getDescription(), row.kind);
            return false;
        }
        String outcome = "REFUSED " + failure.getStatus().getCode() + (reason.isEmpty() ? "" : " " + reason);
        LOG.errorf("outbox row %d (%s) refused for good: %s", row.id, row.kind, failure.getStatus());
        NativeWrites.on(em, "UPDATE outbox SET delivered_at = now(), outcome = ?2, attempts = attempts + 1, "
                + "payload = ''::bytea WHERE id = ?1", "outbox").setParameter(1, row.id).setParameter(2, outcome)
                .executeUpdate();
        return true;
    }

    private void retryLater(long id, int attempts, String error, String kind) {
        long base = Math.min(config.maxBackoff().toMillis(), 200L << Math.min(attempts, 16));
        Duration wait = Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
        NativeWrites.on(em, "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, "
                + "next_attempt_at = now() + make_interval(secs => ?3) WHERE id = ?1", "outbox")
                .setParameter(1, id).setParameter(2, error.length() > 500 ? error.substring(0, 500) : error)
                .setParameter(3, wait.toMillis() / 1000.0).executeUpdate();
        if (attempts == 0 || Integer.bitCount(attempts + 1) == 1) {
            LOG.warnf("outbox row %d (%s) not delivered (attempt %d), retrying in %d ms: %s", id, kind,
                    attempts + 1, wait.toMillis(), error);
        }
    }

    private static String reason(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return "";
        }
        return status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst().map(d -> {
            try {
                return d.unpack(ErrorInfo.class).getReason();
            } catch (InvalidProtocolBufferException ex) {
                return "";
            }
        }).orElse("");
    }
}
