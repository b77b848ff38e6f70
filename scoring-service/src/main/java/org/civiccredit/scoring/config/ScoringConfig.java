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

        /** How long an entry lives without being rewritten: bounds the staleness left by a lost write. */
        @WithDefault("PT15M")
        Duration ttl();

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
