package org.civiccredit.scoring.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.ZoneId;
import org.civiccredit.scoring.domain.RuleBounds;

/** The program's scoring settings and limits (application.properties, prefix {@code scoring}). */
@ConfigMapping(prefix = "scoring")
public interface ScoringConfig {

    /** Bounds every published rule must keep. */
    Rules rules();

    /** The program's time zone: calendar cap periods (days, ISO weeks, months, years) are counted in it. */
    @WithDefault("UTC")
    ZoneId timeZone();

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
}
