package org.civiccredit.scoring.cache;

import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.civiccredit.kit.schedule.Ticks;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.service.Scores;
import org.jboss.logging.Logger;

/**
 * Keeps the live cache complete, so that a read of any registered participant's score is a Redis hit: it walks
 * every registered, not erased participant in id order and writes their score from PostgreSQL through the
 * cache's write script, which keeps a newer stored score, renews the TTL of an equal one and fills a missing
 * one. Each tick (every {@code scoring.live.keeper-every}, 0.1 s) handles its share of a pass that covers
 * everyone within {@code scoring.live.refresh-period}, in one small batch (a million participants every 15
 * minutes: 112 per tick); a batch that found most of its entries missing or stale (a new
 * deployment, a flushed Redis, participants added in bulk) is followed at once by the next, for up to
 * {@code scoring.live.keeper-tick-budget} per tick, so a cold cache fills in minutes, not in a period.
 *
 * <p>So the refresh period, not the TTL, now bounds how long a write lost in a crash can leave a score stale,
 * and the TTL only removes what nobody keeps: tombstones of erased participants, and everything when no
 * instance runs the keeper. One instance walks at a time (a lease in Redis), continuing from the cursor where
 * the previous owner stopped.
 */
@ApplicationScoped
public class LiveScoreKeeper {

    private static final Logger LOG = Logger.getLogger(LiveScoreKeeper.class);

    /** What one tick did. */
    public record Tick(boolean leased, int handled, int written, boolean passEnded) {
        static final Tick NOT_LEASED = new Tick(false, 0, 0, false);
    }

    @Inject
    ScoreCache cache;

    @Inject
    Scores scores;

    @Inject
    ScoringConfig config;

    private final String owner = "keeper-" + UUID.randomUUID();

    /** System.nanoTime() before which the keeper does not tick again, after its own Redis call failed. */
    private volatile long pausedUntil = System.nanoTime();

    /** Participants registered when the current pass started (this instance's count), 0 until counted. */
    private volatile long population;

    @Inject
    Ticks ticks;

    /**
     * Ticks every {@code scoring.live.keeper-every}: by {@link Ticks}, since Quarkus' scheduler runs nothing more
     * than once a second.
     */
    void start(@Observes StartupEvent started) {
        ticks.every(config.live().keeperEvery(), Duration.ofSeconds(2), "live score keeper tick", this::scheduledTick);
    }

    void scheduledTick() {
        if (!cache.available() || System.nanoTime() - pausedUntil < 0) {
            return;
        }
        try {
            tick(Instant.now());
        } catch (ScoreCache.Unavailable e) {
            // The keeper's failures do not cool the cache down for readers (a batch can time out on a starved
            // machine while reads still succeed); the keeper pauses on its own instead.
            pausedUntil = System.nanoTime() + config.live().cooldown().toNanos();
            LOG.debugf("live score keeper: Redis unavailable, paused for the cool-down (%s)", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf(e, "live score keeper tick failed; the next tick continues");
        }
    }

    /**
     * One tick of the walk: its share of the pass, and on past it while the entries it finds are mostly missing
     * or stale, within the tick budget. Nothing when another instance holds the lease.
     */
    @ActivateRequestContext
    public Tick tick(Instant now) {
        ScoringConfig.Live live = config.live();
        Duration every = interval(live.keeperEvery());
        if (!cache.keeperLease(owner, leaseTime(every))) {
            return Tick.NOT_LEASED;
        }
        String cursor = cache.keeperCursor();
        if (cursor.isEmpty() || population == 0) {
            population = scores.registeredCount();
        }
        long share = share(population, live.refreshPeriod(), every);
        long deadline = System.nanoTime() + live.keeperTickBudget().toNanos();
        int handled = 0;
        int written = 0;
        // A warm tick reads and writes exactly its share, in one small batch where it can: many small steps
        // rather than a burst that holds Redis and the cores for everyone else.
        int next = (int) Math.min(live.keeperBatch(), share);
        while (true) {
            List<LiveScore> run = scores.liveAfter(cursor, next, now);
            if (run.isEmpty()) {
                cache.keeperCursor("");
                if (!cursor.isEmpty() || handled > 0) {
                    LOG.debugf("live score keeper: a pass over %d participants ended", population);
                }
                return new Tick(true, handled, written, true);
            }
            int stored = cache.writeAll(run);
            cursor = run.get(run.size() - 1).participantId();
            cache.keeperCursor(cursor);
            handled += run.size();
            written += stored;
            boolean cold = stored * 2 > run.size();
            if ((handled >= share && !cold) || System.nanoTime() - deadline >= 0) {
                if (written > 0) {
                    LOG.debugf("live score keeper: %d of %d entries written", written, handled);
                }
                return new Tick(true, handled, written, false);
            }
            next = cold ? live.keeperBatch() : (int) Math.min(live.keeperBatch(), share - handled);
        }
    }

    /** How long the lease outlives its owner's last tick: ten ticks, at least ten seconds. */
    static Duration leaseTime(Duration every) {
        Duration tenTicks = every.multipliedBy(10);
        return tenTicks.compareTo(Duration.ofSeconds(10)) > 0 ? tenTicks : Duration.ofSeconds(10);
    }

    /**
     * Refuses a TTL that would let entries expire before the keeper renews them: every entry is rewritten
     * within the refresh period, so the TTL must exceed it (twice it leaves room for a cold fill and a lease
     * changing hands).
     */
    void checkSettings(@Observes StartupEvent started) {
        requireTtlCoversRefresh(config.live().ttl(), config.live().refreshPeriod());
    }

    static void requireTtlCoversRefresh(Duration ttl, Duration refreshPeriod) {
        if (refreshPeriod.isNegative() || refreshPeriod.isZero() || ttl.compareTo(refreshPeriod.multipliedBy(2)) < 0) {
            throw new IllegalStateException("scoring.live.ttl (" + ttl + ") must be at least twice "
                    + "scoring.live.refresh-period (" + refreshPeriod + "), which must be positive, or kept "
                    + "entries expire before they are renewed");
        }
    }

    /** The tick interval of {@code every} ("1s", "PT1S"); one second when the schedule is "off". */
    static Duration interval(String every) {
        return Ticks.period(every).orElse(Duration.ofSeconds(1));
    }

    /** Participants per tick so that {@code population} are covered within {@code period}: at least one. */
    static long share(long population, Duration period, Duration every) {
        long ticks = Math.max(1, period.toMillis() / Math.max(1, every.toMillis()));
        return Math.max(1, (population + ticks - 1) / ticks);
    }
}
