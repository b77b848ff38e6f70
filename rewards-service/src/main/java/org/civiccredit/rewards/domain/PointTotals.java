package org.civiccredit.rewards.domain;

import java.time.Instant;

/** Programme-wide point totals over [start, end); no personal data. */
public record PointTotals(Instant start, Instant end, long issued, long redeemed, long expired, long clawedBack,
        long clawbackShortfall, long forfeited) {
}
