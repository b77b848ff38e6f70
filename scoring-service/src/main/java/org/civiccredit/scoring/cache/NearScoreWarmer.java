package org.civiccredit.scoring.cache;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.civiccredit.kit.schedule.Ticks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civiccredit.scoring.config.ScoringConfig;
import org.jboss.logging.Logger;

/**
 * Fills the near cache ({@link NearScores}) ahead of reads while reads find it cold: when, over a second, at
 * least a tenth of the reads that Redis answered with an entry had missed the near cache (a new instance, a
 * flushed Redis, the tracking connection regained), it walks the live score keys in Redis with SCAN and reads
 * those it holds nothing for, in pipelined batches, within {@code scoring.live.near-warm-budget} per step, until
 * the walk ends or the near cache is full. Reads alone would take the whole population's worth of misses to get
 * there, at one round trip each; a walk of a million entries takes a few tens of seconds here.
 */
@ApplicationScoped
public class NearScoreWarmer {

    private static final Logger LOG = Logger.getLogger(NearScoreWarmer.class);
    /** Keys asked of SCAN, and entries read in one pipelined round trip, per batch. */
    static final int BATCH = 500;
    /** Fewer misses than this in a second never start a walk (a quiet instance). */
    static final long MIN_MISSES = 50;
    private static final long SECOND = 1_000_000_000L;

    /** What one step did. */
    public record Step(boolean walking, int scanned, int read, boolean walkEnded) {
        static final Step IDLE = new Step(false, 0, 0, false);
    }

    @Inject
    NearScores near;

    @Inject
    ScoreCache cache;

    @Inject
    ScoringConfig config;

    /** The SCAN cursor of the walk in progress; null when not walking. */
    private String cursor;
    private volatile boolean walking;
    private long windowStart = System.nanoTime();
    private long hitsAtWindowStart;
    private long missesAtWindowStart;
    private long walkRead;

    @Inject
    Ticks ticks;

    void start(@Observes StartupEvent started) {
        ticks.every(config.live().nearWarmEvery(), Duration.ofSeconds(1), "near cache warmer step",
                this::scheduledStep);
    }

    void scheduledStep() {
        try {
            step(System.nanoTime());
        } catch (ScoreCache.Unavailable e) {
            LOG.debugf("near cache warmer: Redis unavailable (%s); the walk goes on at the next step", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf(e, "near cache warmer step failed; the next step goes on");
        }
    }

    /** Whether a walk is in progress. */
    public boolean walking() {
        return walking;
    }

    /** One step at {@code nanoNow}: decides whether reads find the near cache cold, and walks on if so. */
    public synchronized Step step(long nanoNow) {
        if (!near.tracking() || near.full()) {
            cursor = null;
            walking = false;
            return Step.IDLE;
        }
        if (cursor == null) {
            if (nanoNow - windowStart < SECOND) {
                return Step.IDLE;
            }
            long hits = near.hits();
            long misses = near.redisAnswers();
            long missed = misses - missesAtWindowStart;
            long answered = missed + hits - hitsAtWindowStart;
            windowStart = nanoNow;
            hitsAtWindowStart = hits;
            missesAtWindowStart = misses;
            if (missed < MIN_MISSES || missed * 10 < answered) {
                return Step.IDLE;
            }
            LOG.infof("near cache warmer: %d of %d reads in the last second went to Redis; walking its entries",
                    missed, answered);
            cursor = "0";
            walking = true;
            walkRead = 0;
        }
        long deadline = System.nanoTime() + config.live().nearWarmBudget().toNanos();
        int scanned = 0;
        int read = 0;
        do {
            ScoreCache.Page page = cache.scan(cursor, BATCH);
            scanned += page.participantIds().size();
            read += cache.readIntoNear(page.participantIds());
            cursor = page.cursor();
            if (page.last()) {
                walkRead += read;
                LOG.infof("near cache warmer: walk ended, %d entries read; %d held", walkRead, near.size());
                cursor = null;
                walking = false;
                windowStart = System.nanoTime();
                hitsAtWindowStart = near.hits();
                missesAtWindowStart = near.redisAnswers();
                return new Step(true, scanned, read, true);
            }
        } while (System.nanoTime() - deadline < 0 && !near.full());
        walkRead += read;
        LOG.debugf("near cache warmer: %d entries read so far in this walk; %d held", walkRead, near.size());
        return new Step(true, scanned, read, false);
    }
}
