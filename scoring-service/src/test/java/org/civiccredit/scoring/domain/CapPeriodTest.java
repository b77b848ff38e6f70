package org.civiccredit.scoring.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Cap periods are calendar periods in the program's time zone, weeks by ISO-8601. */
class CapPeriodTest {

    @Test
    void eachPeriodHasItsCalendarKey() {
        Instant at = Instant.parse("2026-03-04T10:00:00Z");
        assertThat(CapPeriod.DAY.keyOf(at, ZoneOffset.UTC)).isEqualTo("D2026-03-04");
        assertThat(CapPeriod.WEEK.keyOf(at, ZoneOffset.UTC)).isEqualTo("W2026-W10");
        assertThat(CapPeriod.MONTH.keyOf(at, ZoneOffset.UTC)).isEqualTo("M2026-03");
        assertThat(CapPeriod.YEAR.keyOf(at, ZoneOffset.UTC)).isEqualTo("Y2026");
    }

    @Test
    void isoWeeksStartOnMondayAndBelongToTheirWeekBasedYear() {
        // Sunday 2027-01-03 is still in ISO week 53 of 2026; Monday 2027-01-04 starts week 1 of 2027.
        assertThat(CapPeriod.WEEK.keyOf(Instant.parse("2027-01-03T23:59:59Z"), ZoneOffset.UTC)).isEqualTo("W2026-W53");
        assertThat(CapPeriod.WEEK.keyOf(Instant.parse("2027-01-04T00:00:00Z"), ZoneOffset.UTC)).isEqualTo("W2027-W01");
    }

    @Test
    void weeksAndMonthsFromTenOnHaveNoLeadingZero() {
        Instant at = Instant.parse("2026-12-31T10:00:00Z");
        assertThat(CapPeriod.WEEK.keyOf(at, ZoneOffset.UTC)).isEqualTo("W2026-W53");
        assertThat(CapPeriod.MONTH.keyOf(at, ZoneOffset.UTC)).isEqualTo("M2026-12");
        assertThat(CapPeriod.MONTH.keyOf(Instant.parse("2026-10-01T00:00:00Z"), ZoneOffset.UTC)).isEqualTo("M2026-10");
        assertThat(CapPeriod.MONTH.keyOf(Instant.parse("2026-09-30T23:59:59Z"), ZoneOffset.UTC)).isEqualTo("M2026-09");
    }

    @Test
    void periodsFollowTheProgramsTimeZone() {
        Instant lateEveningInNewYork = Instant.parse("2026-12-31T23:30:00-05:00");
        assertThat(CapPeriod.DAY.keyOf(lateEveningInNewYork, ZoneId.of("America/New_York"))).isEqualTo("D2026-12-31");
        assertThat(CapPeriod.YEAR.keyOf(lateEveningInNewYork, ZoneOffset.UTC)).isEqualTo("Y2027");
    }
}
