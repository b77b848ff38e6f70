package org.civiccredit.rewards.domain;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;

/** Period of an offer's per-participant limit, counted in the programme's time zone. */
public enum LimitPeriod {
    DAY, WEEK, MONTH, YEAR, LIFETIME;

    /** The period containing {@code now}: [start, end). */
    public Window windowAt(Instant now, ZoneId zone) {
        LocalDate day = now.atZone(zone).toLocalDate();
        return switch (this) {
            case DAY -> window(day, day.plusDays(1), zone);
            case WEEK -> {
                LocalDate monday = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                yield window(monday, monday.plusWeeks(1), zone);
            }
            case MONTH -> window(day.withDayOfMonth(1), day.withDayOfMonth(1).plusMonths(1), zone);
            case YEAR -> window(day.withDayOfYear(1), day.withDayOfYear(1).plusYears(1), zone);
            case LIFETIME -> new Window(Instant.EPOCH, Instant.parse("9999-12-31T00:00:00Z"));
        };
    }

    private static Window window(LocalDate start, LocalDate end, ZoneId zone) {
        return new Window(start.atStartOfDay(zone).toInstant(), end.atStartOfDay(zone).toInstant());
    }

    /** A half-open time range [start, end). */
    public record Window(Instant start, Instant end) {
    }
}
