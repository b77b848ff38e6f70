package org.civiccredit.reports.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Small counts are withheld, and so is every rate that would let one be recovered. */
class SuppressionTest {

    private final Suppression five = new Suppression(5);

    @Test
    void countsAboveZeroAndBelowTheThresholdAreWithheldAndOthersPublished() {
        assertThat(five.count(0)).isEqualTo(new Suppression.Count(0, false));
        assertThat(five.count(1)).isEqualTo(new Suppression.Count(0, true));
        assertThat(five.count(4)).isEqualTo(new Suppression.Count(0, true));
        assertThat(five.count(5)).isEqualTo(new Suppression.Count(5, false));
        assertThat(five.count(1234)).isEqualTo(new Suppression.Count(1234, false));
    }

    @Test
    void aRateIsWithheldWhenItsNumeratorDenominatorOrAnyPartOfItIsWithheld() {
        assertThat(five.rate(6, 12)).isEqualTo(new Suppression.Rate(0.5, false));
        assertThat(five.rate(4, 12).suppressed()).isTrue();
        assertThat(five.rate(0, 3).suppressed()).isTrue();
        // overturned / (upheld + overturned): 1 upheld would follow from the rate and the overturned count.
        assertThat(five.rate(7, 1, 7).suppressed()).isTrue();
        assertThat(five.rate(7, 5, 7)).isEqualTo(new Suppression.Rate(7.0 / 12, false));
        assertThat(five.rate(0, 0)).isEqualTo(new Suppression.Rate(0, false));
        assertThat(five.rate(0, 0, 0)).isEqualTo(new Suppression.Rate(0, false));
    }

    @Test
    void aThresholdOfOneWithholdsNothingAndBelowOneIsRefused() {
        Suppression none = new Suppression(1);
        assertThat(none.count(1)).isEqualTo(new Suppression.Count(1, false));
        assertThat(none.rate(1, 3).value()).isEqualTo(1.0 / 3);
        assertThatThrownBy(() -> new Suppression(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
