package org.civiccredit.rewards.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.ZoneId;

/** The programme's wallet and redemption settings (application.properties, prefix {@code rewards}). */
@ConfigMapping(prefix = "rewards")
public interface RewardsConfig {

    /** How long an award stays pending (the contest window) before it becomes spendable. */
    @WithDefault("P14D")
    Duration contestWindow();

    /** How long after its award a lot's remainder expires. */
    @WithDefault("P365D")
    Duration lotLifetime();

    /** How long a reservation holds points before it is voided automatically. */
    @WithDefault("PT10M")
    Duration holdTtl();

    /** How long a redeem token is accepted. */
    @WithDefault("PT5M")
    Duration redeemTokenTtl();

    /** Longest period a settlement statement or period total may cover. */
    @WithDefault("P366D")
    Duration maxStatementPeriod();

    /** The programme's time zone: per-participant limit periods (days, weeks, months, years) are counted in it. */
    @WithDefault("UTC")
    ZoneId timeZone();

    /** The sweep that expires holds and lots and makes pending lots available. */
    Sweep sweep();

    /** How tier-gated offers read tiers from scoring-service. */
    Scoring scoring();

    /** Sweep settings. */
    interface Sweep {
        /** How often the sweep runs, e.g. {@code 30s}; {@code off} disables it (the scheduler reads it). */
        @WithDefault("30s")
        String every();

        /** Participants caught up per pass. */
        @WithDefault("200")
        int batchSize();

        /** How long used or expired redeem tokens are kept before they are deleted. */
        @WithDefault("P1D")
        Duration tokenRetention();
    }

    /** Reading tiers from scoring-service. */
    interface Scoring {
        /** Longest wait for one scoring-service call; past it the tier check answers UNAVAILABLE. */
        @WithDefault("PT2S")
        Duration deadline();

        /** How long the current rule table's tiers are reused (a participant's tier is never kept). */
        @WithDefault("PT10S")
        Duration tierCache();
    }
}
