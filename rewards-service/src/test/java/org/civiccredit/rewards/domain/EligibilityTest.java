package org.civiccredit.rewards.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Who may redeem an offer: enough points, the minimum tier, and the per-participant limit. */
class EligibilityTest {

    private static final OptionalLong NONE = OptionalLong.empty();

    @Test
    void pointsTierAndLimitAreEachChecked() {
        assertThat(Eligibility.check(10, 10, false, NONE, NONE, 0, 0)).isEqualTo(Eligibility.ELIGIBLE);
        assertThat(Eligibility.check(9, 10, false, NONE, NONE, 0, 0)).isEqualTo(Eligibility.INSUFFICIENT_POINTS);
        assertThat(Eligibility.check(10, 10, true, OptionalLong.of(100), OptionalLong.of(99), 0, 0))
                .isEqualTo(Eligibility.TIER_TOO_LOW);
        assertThat(Eligibility.check(10, 10, true, OptionalLong.of(100), OptionalLong.of(100), 0, 0))
                .isEqualTo(Eligibility.ELIGIBLE);
        assertThat(Eligibility.check(10, 10, false, NONE, NONE, 2, 2)).isEqualTo(Eligibility.LIMIT_REACHED);
        assertThat(Eligibility.check(10, 10, false, NONE, NONE, 1, 2)).isEqualTo(Eligibility.ELIGIBLE);
    }

    @Test
    void withoutATierOrWithAnUnknownTierAGatedOfferIsOutOfReach() {
        assertThat(Eligibility.check(10, 10, true, OptionalLong.of(0), NONE, 0, 0))
                .isEqualTo(Eligibility.TIER_TOO_LOW);
        assertThat(Eligibility.check(10, 10, true, NONE, OptionalLong.of(500), 0, 0))
                .isEqualTo(Eligibility.TIER_TOO_LOW);
    }
}
