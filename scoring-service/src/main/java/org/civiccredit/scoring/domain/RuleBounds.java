package org.civiccredit.scoring.domain;

import java.time.Duration;

/** The program's limits on any rule, so that no single rule can dominate or wipe out a standing. */
public record RuleBounds(int maxRules, long maxScoreDelta, long maxDeductionPerPeriod, int maxUnitCap,
        Duration maxCountingWindow) {
}
