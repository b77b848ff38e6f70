package org.civiccredit.scoring.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.civiccredit.kit.schedule.Ticks;
import org.junit.jupiter.api.Test;

/**
 * The service kit's {@link Ticks} in a running service: sub-second intervals are kept (Quarkus' scheduler would
 * run them once a second), a slow run makes ticks skip rather than overlap, {@code off} never runs, and each run
 * has a request context.
 */
@QuarkusTest
class TicksTest {

    @Inject
    Ticks ticks;

    @Test
    void aTenthOfASecondIsTenRunsASecondNotOne() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        AtomicBoolean requestContext = new AtomicBoolean(true);
        Ticks.Schedule schedule = ticks.every("0.1s", Duration.ZERO, "test job", () -> {
            runs.incrementAndGet();
            requestContext.compareAndSet(true, Arc.container().requestContext().isActive());
        });
        long started = System.nanoTime();
        try {
            Thread.sleep(2_000);
        } finally {
            schedule.cancel();
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        // About 20; Quarkus' scheduler, which checks its triggers once a second, would have run it twice. A stalled
        // machine skips ticks (fewer) and sleeps longer (more), so the bounds follow the time that really passed.
        assertThat(runs.get()).isBetween(5, (int) (elapsedMs / 100) + 2);
        assertThat(requestContext).as("every run had a request context").isTrue();
        int cancelledAt = runs.get();
        Thread.sleep(300);
        assertThat(runs.get()).as("no run after cancel").isLessThanOrEqualTo(cancelledAt + 1);
    }

    @Test
    void aSlowRunMakesTicksSkipInsteadOfOverlapping() throws InterruptedException {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        Ticks.Schedule schedule = ticks.every("0.05s", Duration.ZERO, "slow test job", () -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            runs.incrementAndGet();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
        });
        long started = System.nanoTime();
        try {
            Thread.sleep(1_500);
        } finally {
            schedule.cancel();
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(most.get()).as("runs at once").isEqualTo(1);
        // About five: the ticks that fall during a run are skipped, not queued up to run later.
        assertThat(runs.get()).isBetween(2, (int) (elapsedMs / 300) + 1);
    }

    @Test
    void offNeverRuns() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        ticks.every("off", Duration.ZERO, "off test job", runs::incrementAndGet);
        ticks.every("disabled", Duration.ZERO, "disabled test job", runs::incrementAndGet);
        Thread.sleep(300);
        assertThat(runs.get()).isZero();
    }

    @Test
    void intervalsAreReadAsQuarkusReadsThem() {
        assertThat(Ticks.period("0.2s")).contains(Duration.ofMillis(200));
        assertThat(Ticks.period("PT5S")).contains(Duration.ofSeconds(5));
        assertThat(Ticks.period("1m")).contains(Duration.ofMinutes(1));
        assertThat(Ticks.period("off")).isEqualTo(Optional.empty());
        assertThatThrownBy(() -> Ticks.period("soon")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ticks.period("0s")).isInstanceOf(IllegalArgumentException.class);
    }
}
