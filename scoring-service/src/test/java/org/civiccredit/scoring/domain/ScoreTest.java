package org.civiccredit.scoring.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.civiccredit.kit.domain.ConductCategory;
import org.junit.jupiter.api.Test;

/** What an event contributes to a score, the floor at zero, and the tier a score reaches. */
class ScoreTest {

    private static final Instant NOW = Instant.parse("2026-03-04T10:00:00Z");
    private static final List<TierDefinition> TIERS = List.of(new TierDefinition("Bronze", 50),
            new TierDefinition("Silver", 200));

    private static ScoreEvent event(long delta, EventStatus status, Instant countsUntil) {
        return new ScoreEvent(UUID.randomUUID(), "r", "p", "a", "RULE", 1, ConductCategory.PROGRAM_CONDUCT, "t", 0,
                1, delta, delta, false, 0, countsUntil.minus(Duration.ofDays(30)),
                countsUntil.minus(Duration.ofDays(30)),
                countsUntil, "ref", status, null, null, null, null);
    }

    @Test
    void countingEventsCountUntilTheirWindowEnds() {
        assertThat(event(10, EventStatus.COUNTING, NOW.plusSeconds(1)).contributionAt(NOW)).isEqualTo(10);
        ScoreEvent ended = event(10, EventStatus.COUNTING, NOW);
        assertThat(ended.contributionAt(NOW)).isZero();
        assertThat(ended.statusAt(NOW)).isEqualTo(EventStatus.EXPIRED);
        assertThat(ended.statusAt(NOW.minusSeconds(1))).isEqualTo(EventStatus.COUNTING);
    }

    @Test
    void aFrozenDeductionCountsZeroAndAFrozenAwardKeepsCounting() {
        assertThat(event(-10, EventStatus.FROZEN, NOW.plusSeconds(60)).contributionAt(NOW)).isZero();
        assertThat(event(10, EventStatus.FROZEN, NOW.plusSeconds(60)).contributionAt(NOW)).isEqualTo(10);
        assertThat(event(10, EventStatus.FROZEN, NOW).statusAt(NOW)).isEqualTo(EventStatus.FROZEN);
    }

    @Test
    void aReversedEventCountsNothing() {
        assertThat(event(10, EventStatus.REVERSED, NOW.plusSeconds(60)).contributionAt(NOW)).isZero();
    }

    @Test
    void theScoreNeverGoesBelowZero() {
        assertThat(Score.of("p", -25, 4, TIERS, NOW).score()).isZero();
    }

    @Test
    void theTierIsTheHighestReachedAndTheNextOneIsNamed() {
        Score below = Score.of("p", 20, 2, TIERS, NOW);
        assertThat(below.tier()).isNull();
        assertThat(below.nextTierName()).isEqualTo("Bronze");
        assertThat(below.pointsToNextTier()).isEqualTo(30);

        Score bronze = Score.of("p", 50, 2, TIERS, NOW);
        assertThat(bronze.tier().name()).isEqualTo("Bronze");
        assertThat(bronze.nextTierName()).isEqualTo("Silver");
        assertThat(bronze.pointsToNextTier()).isEqualTo(150);

        Score top = Score.of("p", 900, 2, TIERS, NOW);
        assertThat(top.tier().name()).isEqualTo("Silver");
        assertThat(top.nextTierName()).isEmpty();
        assertThat(top.pointsToNextTier()).isZero();

        assertThat(Score.of("p", 900, 2, List.of(), NOW).tier()).isNull();
    }
}
