package org.civiccredit.reports.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The public transparency report (application.properties, prefix {@code transparency}). */
@ConfigMapping(prefix = "transparency")
public interface TransparencyConfig {

    /** Counts above 0 and below this are published as suppressed, and so is every rate derived from them. */
    @WithDefault("10")
    long suppressionThreshold();

    /** Longest period one report may cover. */
    @WithDefault("P366D")
    Duration maxPeriod();
}
