package org.civiccredit.load;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one measured phase observed: the latency of each successful operation (HdrHistogram, microseconds,
 * from 1 µs to 5 minutes at 3 significant digits), the failures by gRPC status and reason, and how long the
 * phase ran, from which the rate of successful operations follows.
 */
public final class Measurement {

    private final String name;
    private final Histogram latencies = new ConcurrentHistogram(1, 300_000_000L, 3);
    private final LongAdder succeeded = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final AtomicLong startNanos = new AtomicLong();
    private final AtomicLong endNanos = new AtomicLong();
    private final long[] slow;
    private final AtomicInteger slowCount = new AtomicInteger();

    public Measurement(String name) {
        this(name, 0);
    }

    /**
     * A measurement that also keeps when each of its first {@code keepSlow} calls slower than {@link #SLOW} started
     * and ended, so that its tail can be laid over what the processes did meanwhile ({@link TailCauses}).
     */
    Measurement(String name, int keepSlow) {
        this.name = name;
        this.slow = new long[2 * keepSlow];
    }

    /** What counts as a slow call: the latency goal of issue 7's open-loop phase (p99 ≤ 5 ms). */
    static final long SLOW = 5_000_000;

    public String name() {
        return name;
    }

    void started(long nanos) {
        startNanos.set(nanos);
    }

    void ended(long nanos) {
        endNanos.set(nanos);
    }

    /** Takes the start and end of {@code other}, for a measurement recorded inside another's phase. */
    void copyPeriod(Measurement other) {
        startNanos.set(other.startNanos.get());
        endNanos.set(other.endNanos.get());
    }

    /** Records a success that took {@code nanos} (from its intended start). */
    public void success(long nanos) {
        latencies.recordValue(Math.max(1, Math.min(nanos / 1_000, latencies.getHighestTrackableValue())));
        succeeded.increment();
    }

    /**
     * Records a success that started (was intended to start) at {@code startNanos} and completed at
     * {@code endNanos}; a slow one is also kept, while there is room.
     */
    void success(long startNanos, long endNanos) {
        long nanos = endNanos - startNanos;
        success(nanos);
        if (nanos > SLOW && slow.length > 0) {
            int at = slowCount.getAndIncrement();
            if (2 * at + 1 < slow.length) {
                slow[2 * at] = startNanos;
                slow[2 * at + 1] = endNanos;
            }
        }
    }

    /**
     * The slow calls kept, as {@code [start, end]} pairs of {@code System.nanoTime()}; read once the phase is over.
     */
    long[][] slowCalls() {
        int kept = Math.min(slowCount.get(), slow.length / 2);
        long[][] out = new long[kept][];
        for (int i = 0; i < kept; i++) {
            out[i] = new long[] {slow[2 * i], slow[2 * i + 1]};
        }
        return out;
    }

    /** How many calls were slower than {@link #SLOW}, kept or not (0 when this measurement keeps none). */
    long slowTotal() {
        return slowCount.get();
    }

    /** Whether this measurement keeps its slow calls. */
    boolean keepsSlow() {
        return slow.length > 0;
    }

    long startNanos() {
        return startNanos.get();
    }

    long endNanos() {
        return endNanos.get();
    }

    /** Records a failure under its gRPC status code and ErrorInfo reason (or exception class). */
    public void failure(Throwable t) {
        failures.computeIfAbsent(describe(t), k -> new LongAdder()).increment();
    }

    public long successes() {
        return succeeded.sum();
    }

    public long failureCount() {
        return failures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Failures by kind, e.g. {@code FAILED_PRECONDITION NOT_ELIGIBLE=12}. */
    public Map<String, Long> failures() {
        Map<String, Long> out = new TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public double seconds() {
        return (endNanos.get() - startNanos.get()) / 1e9;
    }

    /** Successful operations per second over the phase. */
    public double rate() {
        double s = seconds();
        return s <= 0 ? 0 : successes() / s;
    }

    /** The latency at {@code percentile} (0..100) in milliseconds. */
    public double millisAt(double percentile) {
        return latencies.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxMillis() {
        return latencies.getMaxValue() / 1000.0;
    }

    public Histogram histogram() {
        return latencies;
    }

    @Override
    public String toString() {
        return String.format("%s: %d ok in %.1f s = %.1f/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%s",
                name, successes(), seconds(), rate(), millisAt(50), millisAt(99), millisAt(99.9), maxMillis(),
                failures.isEmpty() ? "" : ", failures " + failures());
    }

    static String describe(Throwable t) {
        Throwable cause = t;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            com.google.rpc.Status details = StatusProto.fromThrowable(e);
            String reason = "";
            if (details != null) {
                for (com.google.protobuf.Any any : details.getDetailsList()) {
                    if (any.is(com.google.rpc.ErrorInfo.class)) {
                        try {
                            reason = " " + any.unpack(com.google.rpc.ErrorInfo.class).getReason();
                        } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
                            // keep the code alone
                        }
                    }
                }
            }
            return code + reason;
        }
        return cause.getClass().getSimpleName();
    }
}
