package org.civiccredit.scoring.domain;

import java.math.BigInteger;
import java.time.Instant;

/**
 * What one report under one rule does to a score and a wallet, computed in O(1) from the rule and what the
 * participant already used of the rule's cap in the report's period (scoring.proto, "How one report becomes
 * a score event").
 *
 * @param countedUnits   units counted: min(quantity, unit_cap) for per-unit rules, 1 otherwise
 * @param uncappedDelta  score_delta * countedUnits
 * @param delta          the delta actually applied: uncappedDelta reduced to the room left in the period
 * @param capped         whether the period cap reduced the delta
 * @param awardPoints    wallet points, reduced in proportion when capped
 * @param countsUntil    end of the rolling counting window: occurred_at + counts_for
 */
public record ScoreEvaluation(int countedUnits, long uncappedDelta, long delta, boolean capped, long awardPoints,
        Instant countsUntil) {

    /**
     * @param quantity     reported units (at least 1 for per-unit rules; ignored otherwise)
     * @param usedInPeriod signed sum of the deltas of the participant's non-reversed events of the same rule
     *                     code whose occurred_at falls in the same cap period
     */
    public static ScoreEvaluation evaluate(RuleDefinition rule, int quantity, Instant occurredAt,
            long usedInPeriod) {
        if (rule.perUnit() && quantity < 1) {
            throw new IllegalArgumentException("a per-unit rule needs a quantity of at least 1");
        }
        int countedUnits = rule.perUnit() ? Math.min(quantity, rule.unitCap()) : 1;
        long uncappedDelta = Math.multiplyExact(rule.scoreDelta(), (long) countedUnits);
        long room = Math.max(rule.capPerPeriod() - Math.abs(usedInPeriod), 0);
        long magnitude = Math.min(Math.abs(uncappedDelta), room);
        long delta = Long.signum(uncappedDelta) * magnitude;
        long awardPoints = BigInteger.valueOf(rule.awardPoints())
                .multiply(BigInteger.valueOf(countedUnits))
                .multiply(BigInteger.valueOf(magnitude))
                .divide(BigInteger.valueOf(Math.abs(uncappedDelta)))
                .min(BigInteger.valueOf(Long.MAX_VALUE))
                .longValue();
        return new ScoreEvaluation(countedUnits, uncappedDelta, delta, magnitude < Math.abs(uncappedDelta),
                awardPoints, occurredAt.plus(rule.countsFor()));
    }
}
