package org.civiccredit.reports.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * When an agency is flagged for the administrators (application.properties, prefix {@code accountability}):
 * the patterns of quota-driven or abusive reporting.
 */
@ConfigMapping(prefix = "accountability")
public interface AccountabilityConfig {

    /** Overturned contests per accepted report above which an agency is flagged. */
    @WithDefault("0.1")
    double maxOverturnRate();

    /** Accepted reports needed before the overturn rate is judged. */
    @WithDefault("20")
    long minReportsForRate();

    /** Protected-ground refusals in the period above which an agency is flagged. */
    @WithDefault("2")
    long maxProtectedGroundRefusals();

    /** Out-of-scope refusals in the period above which an agency is flagged. */
    @WithDefault("20")
    long maxOutOfScopeRefusals();

    /** Reports withdrawn while contested, in the period, above which an agency is flagged. */
    @WithDefault("2")
    long maxWithdrawnWhileContested();
}
