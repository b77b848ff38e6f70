package org.civiccredit.scoring.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.Locale;

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
            case WEEK -> String.format(Locale.ROOT, "W%d-W%02d", date.get(IsoFields.WEEK_BASED_YEAR),
                    date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTH -> String.format(Locale.ROOT, "M%d-%02d", date.getYear(), date.getMonthValue());
            case YEAR -> "Y" + date.getYear();
        };
    }
}
