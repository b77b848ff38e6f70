package org.civiccredit.scoring.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;

/** Calendar period over which a rule's cap per participant applies. */
public enum CapPeriod {
    DAY, WEEK, MONTH, YEAR;

    /**
     * The calendar period that contains {@code at} in {@code zone}, as a key such as {@code D2026-01-31},
     * {@code W2026-W05} (ISO week, Monday first, of the week-based year), {@code M2026-01} or {@code Y2026}.
     */
    public String keyOf(Instant at, ZoneId zone) {
        LocalDate date = at.atZone(zone).toLocalDate();
        return switch (this) {
            case DAY -> "D" + date;
            case WEEK -> "W" + date.get(IsoFields.WEEK_BASED_YEAR) + "-W"
                    + twoDigits(date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTH -> "M" + date.getYear() + "-" + twoDigits(date.getMonthValue());
            case YEAR -> "Y" + date.getYear();
        };
    }

    /**
     * A week (1-53) or month (1-12) with a leading zero below 10. Concatenated rather than {@code String.format}ted:
     * scoring-service makes keys twice per report, and the formatter's parsing was 1.2 % of its CPU during intake
     * (docs/performance.md, twenty-third round).
     */
    private static String twoDigits(int value) {
        return value < 10 ? "0" + value : Integer.toString(value);
    }
}
