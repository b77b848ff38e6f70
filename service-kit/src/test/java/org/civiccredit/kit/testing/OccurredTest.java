package org.civiccredit.kit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OccurredTest {

    @Test
    void laterInTheDayItIsExactlyThatLongAgo() {
        Instant now = Instant.parse("2026-11-29T14:30:00Z");
        assertThat(Occurred.ago(Duration.ofHours(2), now)).isEqualTo(Instant.parse("2026-11-29T12:30:00Z"));
        assertThat(Occurred.ago(Duration.ofMinutes(1), now)).isEqualTo(Instant.parse("2026-11-29T14:29:00Z"));
    }

    @Test
    void justAfterMidnightEveryTimeStaysInTodayInTheSameOrder() {
        Instant now = Instant.parse("2026-11-29T01:12:00Z");
        Instant midnight = Instant.parse("2026-11-29T00:00:00Z");
        Instant twoHours = Occurred.ago(Duration.ofHours(2), now);
        Instant oneHour = Occurred.ago(Duration.ofHours(1), now);
        Instant tenMinutes = Occurred.ago(Duration.ofMinutes(10), now);
        assertThat(twoHours).isAfterOrEqualTo(midnight).isBefore(oneHour);
        assertThat(oneHour).isBefore(tenMinutes);
        assertThat(tenMinutes).isBefore(now);
        assertThat(Occurred.ago(Duration.ofHours(3), now)).isEqualTo(midnight);
    }

    @Test
    void moreThanThreeHoursAgoIsRefused() {
        assertThatThrownBy(() -> Occurred.ago(Duration.ofHours(4))).isInstanceOf(IllegalArgumentException.class);
    }
}
