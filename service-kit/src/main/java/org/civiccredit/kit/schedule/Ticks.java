package org.civiccredit.kit.schedule;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs jobs at fixed intervals, sub-second ones included: Quarkus' own scheduler checks its triggers once a
 * second ({@code SimpleScheduler.CHECK_PERIOD}), so an {@code @Scheduled(every = "0.2s")} runs once a second. Each
 * run happens on a worker thread with a request context of its own (as a scheduled method gets), and a tick is
 * skipped while the job's previous run is still going.
 */
@ApplicationScoped
public class Ticks {

    private static final Logger LOG = Logger.getLogger(Ticks.class);

    /** A job's schedule. */
    public interface Schedule {
        /** Stops the job's ticks; a run in progress finishes. */
        void cancel();
    }

    @Inject
    Vertx vertx;

    private final Set<Long> timers = ConcurrentHashMap.newKeySet();

    /**
     * Runs {@code job} every {@code every} ({@code 0.2s}, {@code PT0.2S}, {@code 5s}; {@code off} or
     * {@code disabled} for never), the first time after {@code delay}.
     */
    public Schedule every(String every, Duration delay, String name, Runnable job) {
        Optional<Duration> period = period(every);
        if (period.isEmpty()) {
            LOG.debugf("%s is off", name);
            return () -> { };
        }
        AtomicBoolean running = new AtomicBoolean();
        long timer = vertx.setPeriodic(Math.max(1, delay.toMillis()), Math.max(1, period.get().toMillis()),
                tick -> {
                    if (!running.compareAndSet(false, true)) {
                        return;
                    }
                    vertx.executeBlocking(() -> {
                        run(name, job);
                        return null;
                    }, false).onComplete(done -> running.set(false));
                });
        timers.add(timer);
        return () -> {
            timers.remove(timer);
            vertx.cancelTimer(timer);
        };
    }

    void stop(@Observes ShutdownEvent stopping) {
        timers.forEach(vertx::cancelTimer);
        timers.clear();
    }

    private static void run(String name, Runnable job) {
        ManagedContext requestContext = Arc.container().requestContext();
        requestContext.activate();
        try {
            job.run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "%s failed; the next tick runs it again", name);
        } finally {
            requestContext.terminate();
        }
    }

    /** The period of an {@code every} value; empty for {@code off} or {@code disabled}. */
    public static Optional<Duration> period(String every) {
        String value = every.trim().toUpperCase(Locale.ROOT);
        if (value.equals("OFF") || value.equals("DISABLED")) {
            return Optional.empty();
        }
        try {
            Duration period = Duration.parse(value.startsWith("P") ? value : "PT" + value);
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("an interval must be positive: " + every);
            }
            return Optional.of(period);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an interval (such as 0.2s, PT5S or off): " + every, e);
        }
    }
}
