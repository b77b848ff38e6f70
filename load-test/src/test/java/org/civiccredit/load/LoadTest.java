package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The driver's loops on synthetic operations: bounds, counting and failure classification (no timing asserts). */
class LoadTest {

    private final ScheduledExecutorService later = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() {
        later.shutdownNow();
    }

    @Test
    void closedLoopStopsAtItsCountAndNeverExceedsItsConcurrency() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger highest = new AtomicInteger();
        ConcurrentHashMap<Long, Boolean> sequences = new ConcurrentHashMap<>();
        Measurement m = Load.closedLoop("test", 4, new Load.Bounds(Duration.ofMinutes(1), 200), seq -> {
            sequences.put(seq, true);
            highest.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletableFuture<Void> done = new CompletableFuture<>();
            later.schedule(() -> {
                inFlight.decrementAndGet();
                done.complete(null);
            }, 1, TimeUnit.MILLISECONDS);
            return done;
        });
        assertThat(m.successes()).isEqualTo(200);
        assertThat(sequences.keySet()).hasSize(200).allMatch(s -> s >= 0 && s < 200);
        assertThat(highest.get()).isLessThanOrEqualTo(4);
    }

    @Test
    void closedLoopHandlesOperationsThatCompleteAtOnce() {
        Measurement m = Load.closedLoop("test", 2, new Load.Bounds(Duration.ofMinutes(1), 10_000),
                seq -> CompletableFuture.completedFuture(seq));
        assertThat(m.successes()).isEqualTo(10_000);
    }

    @Test
    void failuresAreCountedByStatusAndNotRecordedAsLatencies() {
        Measurement m = Load.closedLoop("test", 3, new Load.Bounds(Duration.ofMinutes(1), 30),
                seq -> seq % 3 == 0
                        ? CompletableFuture.failedFuture(Status.FAILED_PRECONDITION.asRuntimeException())
                        : CompletableFuture.completedFuture(seq));
        assertThat(m.successes()).isEqualTo(20);
        assertThat(m.failures()).containsEntry("FAILED_PRECONDITION", 10L);
        assertThat(m.histogram().getTotalCount()).isEqualTo(20);
    }

    @Test
    void openLoopStartsItsCountWhateverTheOperationsDo() {
        AtomicInteger started = new AtomicInteger();
        Measurement m = Load.openLoop("test", 2_000, new Load.Bounds(Duration.ofMinutes(1), 100), 1_000, seq -> {
            started.incrementAndGet();
            CompletableFuture<Void> done = new CompletableFuture<>();
            later.schedule(() -> done.complete(null), 5, TimeUnit.MILLISECONDS);
            return done;
        });
        assertThat(started.get()).isEqualTo(100);
        assertThat(m.successes()).isEqualTo(100);
        assertThat(m.failureCount()).isZero();
    }

    @Test
    void openLoopChargesAStalledOperationFromItsIntendedStart() {
        // One operation in flight at a time, each taking 20 ms, offered 1,000 per second: the later ones wait for
        // a slot, and that wait is part of their latency, so the recorded maximum far exceeds one operation's 20 ms.
        Measurement m = Load.openLoop("test", 1_000, new Load.Bounds(Duration.ofMinutes(1), 20), 1, seq -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            later.schedule(() -> done.complete(null), 20, TimeUnit.MILLISECONDS);
            return done;
        });
        assertThat(m.successes()).isEqualTo(20);
        assertThat(m.maxMillis()).isGreaterThan(20 * 19 - 19);
    }
}
