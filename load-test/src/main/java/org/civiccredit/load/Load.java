package org.civiccredit.load;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The two ways the driver applies load, both bounded by a number of operations and by time:
 * <ul>
 * <li>closed loop: a fixed number of concurrent sessions, each starting its next operation when the previous
 * one completes (finds the maximum rate at that concurrency);</li>
 * <li>open loop: operations started at a fixed arrival rate whatever the system does, each one's latency
 * measured from its intended start time, so a stalled system is charged for every operation it delayed
 * (no coordinated omission).</li>
 * </ul>
 * Operations are asynchronous, so a few driver threads keep hundreds of calls in flight.
 */
public final class Load {

    /** One operation; it is complete when its future completes (exceptionally for a failure). */
    @FunctionalInterface
    public interface Operation {
        CompletableFuture<?> start(long sequence);
    }

    /** Stop after {@code duration} or {@code maxCount} operations, whichever comes first. */
    public record Bounds(Duration duration, long maxCount) {
        public Bounds {
            if (duration.isNegative() || duration.isZero() || maxCount <= 0) {
                throw new IllegalArgumentException("a load phase needs a positive duration and count");
            }
        }

        public static Bounds of(Duration duration) {
            return new Bounds(duration, Long.MAX_VALUE);
        }
    }

    /** How many slow calls an open loop keeps for {@link TailCauses} (16 bytes each). */
    static final int KEEP_SLOW = 200_000;

    /** How long in-flight operations may take to complete after the phase's time is up. */
    static final Duration DRAIN = Duration.ofSeconds(60);

    private Load() {
    }

    /** Runs {@code operation} in {@code concurrency} sessions, each one after the other, within the bounds. */
    public static Measurement closedLoop(String name, int concurrency, Bounds bounds, Operation operation) {
        Measurement m = new Measurement(name);
        long start = System.nanoTime();
        long deadline = start + bounds.duration().toNanos();
        AtomicLong issued = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(concurrency);
        m.started(start);
        for (int i = 0; i < concurrency; i++) {
            new Session(operation, m, issued, bounds.maxCount(), deadline, finished).next();
        }
        await(finished, bounds.duration().plus(DRAIN));
        m.ended(System.nanoTime());
        return m;
    }

    /**
     * Starts {@code operation} at {@code ratePerSecond} within the bounds, with at most {@code maxInFlight}
     * outstanding (beyond that, starts wait, and their waiting counts in their latency).
     */
    public static Measurement openLoop(String name, double ratePerSecond, Bounds bounds, int maxInFlight,
            Operation operation) {
        Measurement m = new Measurement(name, KEEP_SLOW);
        long period = Math.max(1, (long) (1e9 / ratePerSecond));
        long start = System.nanoTime();
        long deadline = start + bounds.duration().toNanos();
        AtomicLong inFlight = new AtomicLong();
        m.started(start);
        long scheduleEnd = start;
        for (long seq = 0; seq < bounds.maxCount(); seq++) {
            long intended = start + seq * period;
            if (intended - deadline >= 0) {
                break;
            }
            scheduleEnd = intended + period;
            parkUntil(intended);
            while (inFlight.get() >= maxInFlight) {
                LockSupport.parkNanos(50_000);
            }
            inFlight.incrementAndGet();
            startOne(operation, seq).whenComplete((r, e) -> {
                long now = System.nanoTime();
                if (e == null) {
                    m.success(intended, now);
                } else {
                    m.failure(e);
                }
                inFlight.decrementAndGet();
            });
        }
        long drainUntil = System.nanoTime() + DRAIN.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() - drainUntil < 0) {
            LockSupport.parkNanos(1_000_000);
        }
        for (long i = inFlight.get(); i > 0; i--) {
            m.failure(new IllegalStateException("incomplete after the drain time"));
        }
        // The rate of an open loop is over its schedule: what was offered, and how much of it succeeded.
        m.ended(scheduleEnd);
        return m;
    }

    /** A grpc-java future as a CompletableFuture. */
    public static <T> CompletableFuture<T> of(ListenableFuture<T> future) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(T value) {
                result.complete(value);
            }

            @Override
            public void onFailure(Throwable t) {
                result.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return result;
    }

    /** One closed-loop session: starts the next operation when the previous one has completed. */
    private record Session(Operation operation, Measurement m, AtomicLong issued, long maxCount, long deadline,
            CountDownLatch finished) {

        void next() {
            while (true) {
                long seq = issued.getAndIncrement();
                if (System.nanoTime() - deadline >= 0 || seq >= maxCount) {
                    finished.countDown();
                    return;
                }
                long began = System.nanoTime();
                CompletableFuture<?> f = startOne(operation, seq);
                if (f.isDone()) {
                    recordDone(f, began);
                    continue;
                }
                f.whenComplete((r, e) -> {
                    Load.record(m, e, System.nanoTime() - began);
                    next();
                });
                return;
            }
        }

        private void recordDone(CompletableFuture<?> done, long began) {
            Throwable error = null;
            try {
                done.join();
            } catch (RuntimeException e) {
                error = e;
            }
            Load.record(m, error, System.nanoTime() - began);
        }
    }

    private static CompletableFuture<?> startOne(Operation operation, long seq) {
        try {
            return operation.start(seq);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void record(Measurement m, Throwable error, long nanos) {
        if (error == null) {
            m.success(nanos);
        } else {
            m.failure(error);
        }
    }

    private static void parkUntil(long nanoTime) {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private static void await(CountDownLatch latch, Duration timeout) {
        try {
            if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("load: sessions still running after " + timeout + "; measuring what completed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
