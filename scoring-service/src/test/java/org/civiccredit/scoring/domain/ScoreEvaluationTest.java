package org.civiccredit.scoring.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.civiccredit.kit.domain.ConductCategory;
import org.junit.jupiter.api.Test;

/** The evaluation of one report: unit cap, period-cap room, award in proportion, counting window. */
class ScoreEvaluationTest {

    private static final Instant OCCURRED = Instant.parse("2026-03-04T10:00:00Z");

    private static RuleDefinition perHour(long delta, int unitCap, long award, long cap) {
        return new RuleDefinition("VOL", ConductCategory.VOLUNTEERING, "Volunteering", "", delta, true, unitCap,
                "hour", award, cap, CapPeriod.WEEK, Duration.ofDays(90));
    }

    private static RuleDefinition fixed(ConductCategory category, long delta, long award, long cap) {
        return new RuleDefinition("FIXED", category, "Fixed", "", delta, false, 0, "", award, cap, CapPeriod.DAY,
                Duration.ofDays(30));
    }

    @Test
    void aPerUnitRuleCountsAtMostItsUnitCap() {
        ScoreEvaluation e = ScoreEvaluation.evaluate(perHour(5, 8, 10, 100), 20, OCCURRED, 0);
        assertThat(e).isEqualTo(new ScoreEvaluation(8, 40, 40, false, 80, OCCURRED.plus(Duration.ofDays(90))));
    }

    @Test
    void aFixedRuleCountsOneUnitWhateverTheQuantity() {
        ScoreEvaluation e = ScoreEvaluation.evaluate(fixed(ConductCategory.LEARNING, 7, 3, 70), 0, OCCURRED, 0);
        assertThat(e).isEqualTo(new ScoreEvaluation(1, 7, 7, false, 3, OCCURRED.plus(Duration.ofDays(30))));
    }

    @Test
    void theRoomLeftInThePeriodCapsTheDeltaAndTheAwardInProportion() {
        ScoreEvaluation e = ScoreEvaluation.evaluate(perHour(5, 8, 10, 50), 8, OCCURRED, 40);
        assertThat(e.uncappedDelta()).isEqualTo(40);
        assertThat(e.delta()).isEqualTo(10);
        assertThat(e.capped()).isTrue();
        assertThat(e.awardPoints()).isEqualTo(20);
    }

    @Test
    void theAwardIsRoundedDown() {
        // 3 units of 3 = 9 uncapped, room 4: award floor(7 * 3 * 4 / 9) = floor(9.33) = 9
        ScoreEvaluation e = ScoreEvaluation.evaluate(perHour(3, 8, 7, 10), 3, OCCURRED, 6);
        assertThat(e.delta()).isEqualTo(4);
        assertThat(e.awardPoints()).isEqualTo(9);
    }

    @Test
    void anExhaustedOrOverdrawnCapLeavesADeltaOfZero() {
        assertThat(ScoreEvaluation.evaluate(perHour(5, 8, 10, 50), 2, OCCURRED, 50))
                .extracting(ScoreEvaluation::delta, ScoreEvaluation::capped, ScoreEvaluation::awardPoints)
                .containsExactly(0L, true, 0L);
        assertThat(ScoreEvaluation.evaluate(perHour(5, 8, 10, 50), 2, OCCURRED, 75).delta()).isZero();
    }

    @Test
    void aDeductionIsCappedByItsMagnitude() {
        RuleDefinition missed = fixed(ConductCategory.PROGRAM_CONDUCT, -10, 0, 25);
        assertThat(ScoreEvaluation.evaluate(missed, 0, OCCURRED, 0).delta()).isEqualTo(-10);
        ScoreEvaluation third = ScoreEvaluation.evaluate(missed, 0, OCCURRED, -20);
        assertThat(third.delta()).isEqualTo(-5);
        assertThat(third.uncappedDelta()).isEqualTo(-10);
        assertThat(third.capped()).isTrue();
        assertThat(third.awardPoints()).isZero();
    }

    @Test
    void aPerUnitRuleNeedsAUnit() {
        assertThatThrownBy(() -> ScoreEvaluation.evaluate(perHour(5, 8, 10, 50), 0, OCCURRED, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHugeAwardIsComputedExactlyAndNeverOverflows() {
        ScoreEvaluation capped = ScoreEvaluation.evaluate(perHour(5, 24, Long.MAX_VALUE / 2, 100), 24, OCCURRED, 90);
        assertThat(capped.delta()).isEqualTo(10);
        assertThat(capped.awardPoints()).isEqualTo(Long.MAX_VALUE / 2 * 2);
        assertThat(ScoreEvaluation.evaluate(perHour(5, 24, Long.MAX_VALUE, 200), 24, OCCURRED, 0).awardPoints())
                .isEqualTo(Long.MAX_VALUE);
    }
}
