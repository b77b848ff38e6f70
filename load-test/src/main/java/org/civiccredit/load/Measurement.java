package org.civiccredit.load;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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

    public Measurement(String name) {
        this.name = name;
    }

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
