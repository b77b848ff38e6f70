package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.civiccredit.api.scoring.v1.Score;

/**
 * Measures GetScore over gRPC, client and server in one JVM on this machine: latency of sequential calls
 * (percentiles) and the rate of a few concurrent callers. Printed for the notes, never asserted: only each
 * answer's score is checked. Bounded in calls, so it ends by itself.
 */
final class GetScoreMeasurement {

    private static final int WARM_UP = 300;

    private GetScoreMeasurement() {
    }

    /** How many times {@link #measure} makes {@code call} with these {@code calls} and {@code callers}. */
    static int callsPerMeasurement(int calls, int callers) {
        return WARM_UP + calls + (callers > 0 ? calls / callers * callers : 0);
    }

    /**
     * Sequential latency of {@code calls} calls, each after an untimed {@code beforeEach}, then the rate of
     * {@code callers} concurrent callers making {@code calls} calls between them (without {@code beforeEach}).
     */
    static void measure(String label, int calls, int callers, Runnable beforeEach, Supplier<Score> call,
            long expectedScore) throws Exception {
        for (int i = 0; i < WARM_UP; i++) {
            beforeEach.run();
            assertThat(call.get().getScore()).isEqualTo(expectedScore);
        }
        long[] micros = new long[calls];
        for (int i = 0; i < calls; i++) {
            beforeEach.run();
            long start = System.nanoTime();
            Score score = call.get();
            micros[i] = (System.nanoTime() - start) / 1_000;
            assertThat(score.getScore()).isEqualTo(expectedScore);
        }
        java.util.Arrays.sort(micros);
        String latency = String.format("p50 %d us, p90 %d us, p99 %d us, max %d us", micros[calls / 2],
                micros[calls * 9 / 10], micros[calls * 99 / 100], micros[calls - 1]);
        System.out.printf("GetScore %s: %d sequential calls: %s%s%n", label, calls, latency,
                callers > 0 ? "; " + rate(calls, callers, call, expectedScore) : "");
    }

    private static String rate(int calls, int callers, Supplier<Score> call, long expectedScore) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> done = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < callers; c++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < calls / callers; i++) {
                        assertThat(call.get().getScore()).isEqualTo(expectedScore);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return String.format("%d concurrent callers: %.0f calls/s", callers, calls / callers * callers / seconds);
        } finally {
            pool.shutdownNow();
        }
    }
}
