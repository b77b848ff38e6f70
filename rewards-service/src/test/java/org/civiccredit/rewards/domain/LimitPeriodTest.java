package org.civiccredit.rewards.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Limit periods are calendar periods in the programme's time zone. */
class LimitPeriodTest {

    private static final Instant NOW = Instant.parse("2030-05-15T22:30:00Z");

    @Test
    void calendarPeriodsInUtc() {
        ZoneId utc = ZoneId.of("UTC");
        assertThat(LimitPeriod.DAY.windowAt(NOW, utc)).isEqualTo(new LimitPeriod.Window(
                Instant.parse("2030-05-15T00:00:00Z"), Instant.parse("2030-05-16T00:00:00Z")));
        assertThat(LimitPeriod.WEEK.windowAt(NOW, utc)).isEqualTo(new LimitPeriod.Window(
                Instant.parse("2030-05-13T00:00:00Z"), Instant.parse("2030-05-20T00:00:00Z")));
        assertThat(LimitPeriod.MONTH.windowAt(NOW, utc)).isEqualTo(new LimitPeriod.Window(
                Instant.parse("2030-05-01T00:00:00Z"), Instant.parse("2030-06-01T00:00:00Z")));
        assertThat(LimitPeriod.YEAR.windowAt(NOW, utc)).isEqualTo(new LimitPeriod.Window(
                Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2031-01-01T00:00:00Z")));
        assertThat(LimitPeriod.LIFETIME.windowAt(NOW, utc).start()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void theDayIsTheProgrammesDay() {
        assertThat(LimitPeriod.DAY.windowAt(NOW, ZoneId.of("Europe/Berlin"))).isEqualTo(new LimitPeriod.Window(
                Instant.parse("2030-05-15T22:00:00Z"), Instant.parse("2030-05-16T22:00:00Z")));
    }
}
