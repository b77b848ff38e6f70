package org.civiccredit.scoring.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;
import org.civiccredit.scoring.domain.RuleBounds;

/** The program's scoring settings and limits (application.properties, prefix {@code scoring}). */
@ConfigMapping(prefix = "scoring")
public interface ScoringConfig {

    /** Bounds every published rule must keep. */
    Rules rules();

    /** The program's time zone: calendar cap periods (days, ISO weeks, months, years) are counted in it. */
    @WithDefault("UTC")
    ZoneId timeZone();

    /** The live scores in Redis and their fan-out to StreamScore. */
    Live live();

    /** A rule table file published at start-up: for the demo and for a first deployment. */
    RuleTableFile ruleTable();

    /** Limits on rules. */
    interface Rules {
        @WithDefault("5000")
        int maxCount();

        @WithDefault("100")
        long maxScoreDelta();

        @WithDefault("50")
        long maxDeductionPerPeriod();

        @WithDefault("24")
        int maxUnitCap();

        @WithDefault("P730D")
        Duration maxCountingWindow();

        default RuleBounds bounds() {
            return new RuleBounds(maxCount(), maxScoreDelta(), maxDeductionPerPeriod(), maxUnitCap(),
                    maxCountingWindow());
        }
    }

    /** Where the rule table published at start-up comes from. */
    interface RuleTableFile {

        /**
         * A rule table file (YAML or JSON, see the README) published at start-up through the same validation as
         * PublishRuleTable, unless the current table already is the file's or the file was published before.
         * Unset: nothing is published at start-up.
         */
        Optional<String> loadOnStart();
    }

    /** Live scores: the Redis cache of each participant's score and the pub/sub channel of score changes. */
    interface Live {

        /**
         * Pub/sub channel of score changes. Channels are not scoped by Redis database index, so systems that
         * share a Redis server (a demo system and the tests) need channels of their own.
         */
        @WithDefault("scoring:score-changes")
        String channel();

        /** Prefix of the per-participant score hash keys ({@code <prefix>{participantId}}). */
        @WithDefault("scoring:score:")
        String keyPrefix();

        /**
         * How long an entry lives without being rewritten or renewed: removes what nobody keeps (tombstones of
         * erased participants; every entry if no instance runs the keeper). At least twice the refresh period.
         * The keeper renews an unchanged entry once less than two refresh periods are left, and every renewal
         * drops the entry from every near cache ({@link org.civiccredit.scoring.cache.NearScores}): with a TTL of
         * an hour that was every entry every half hour, and 6-8 % of a million entries missing from the near cache
         * at any time (load runs: GetScore at 0.58 of the echo with 6.6 % of reads missing it, 0.84 with none). A
         * day renews each entry once a day.
         */
        @WithDefault("PT24H")
        Duration ttl();

        /**
         * Within this period the keeper rewrites every registered participant's entry from PostgreSQL: bounds
         * the staleness a write lost in a crash can leave, and fills the entries of participants added behind
         * the service's back (a restored database, bulk provisioning).
         */
        @WithDefault("PT15M")
        Duration refreshPeriod();

        /**
         * How often the keeper takes its share of the pass, e.g. {@code 0.1s}; {@code off} stops it. Short
         * ticks spread its work evenly: one tick a second made bursts that showed in GetScore's p99.
         */
        @WithDefault("0.1s")
        String keeperEvery();

        /** Participants the keeper reads and writes per batch (one range read, one pipelined Redis call). */
        @WithDefault("500")
        int keeperBatch();

        /** Most time one tick spends filling a cold cache before it leaves the rest to the next tick. */
        @WithDefault("PT0.5S")
        Duration keeperTickBudget();

        /**
         * Most GetScore cache reads in flight on the event loops at once; a read beyond it waits in line for a
         * place without holding a thread (up to eight times as many; beyond that it waits for a worker thread, as a
         * miss does). Keep it well under {@code quarkus.redis.max-pool-waiting}, so a stall cannot pile reads up
         * past the connection pool's queue.
         */
        @WithDefault("128")
        int eventLoopReads();

        /**
         * Most live score entries the near cache holds in this process (kept coherent with Redis by its
         * client-side caching, see {@code NearScores}); about 0.2 KB each. 0 turns it off: every read then
         * goes to Redis.
         */
        @WithDefault("1000000")
        int nearMaxEntries();

        /**
         * How often the near cache's warmer takes a step of a walk over the entries in Redis, e.g. {@code 0.1s};
         * {@code off} stops it. It walks only while reads find the near cache cold (see {@code NearScoreWarmer}).
         */
        @WithDefault("0.1s")
        String nearWarmEvery();

        /**
         * Most time one step of the warmer's walk takes (its scans and reads, in batches of 500): with steps
         * 0.1 s apart, half of one core at most while it walks.
         */
        @WithDefault("PT0.05S")
        Duration nearWarmBudget();

        /** Longest wait for a cache read before the read falls back to PostgreSQL. */
        @WithDefault("PT0.5S")
        Duration readTimeout();

        /** Longest wait for the write after a commit before it is left to the repair pass. */
        @WithDefault("PT1S")
        Duration writeTimeout();

        /** After a Redis failure, how long calls go straight to PostgreSQL before Redis is tried again. */
        @WithDefault("PT1S")
        Duration cooldown();

        /** Most participants remembered for the repair pass while Redis is unreachable. */
        @WithDefault("100000")
        int maxPendingRepairs();

        /** How often ended counting windows are swept (version bump and stream update), e.g. {@code 1s}. */
        @WithDefault("1s")
        String expirySweepEvery();

        /** Participants handled per sweep transaction. */
        @WithDefault("200")
        int expirySweepBatch();
    }
}
