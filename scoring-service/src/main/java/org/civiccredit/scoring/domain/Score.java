package org.civiccredit.scoring.domain;

import java.time.Instant;
import java.util.List;

/**
 * A participant's score at one moment, with the tier it reaches under the current rule table.
 *
 * @param tier             highest tier whose threshold is at most the score; null below every tier
 * @param nextTierName     the next tier up; empty at the top tier or without tiers
 * @param pointsToNextTier score still needed for the next tier; 0 when there is none
 * @param version          the participant's score version (1 at registration, +1 per change)
 */
public record Score(String participantId, long score, TierDefinition tier, String nextTierName,
        long pointsToNextTier, long version, Instant asOf) {

    /**
     * The score from the sum of the events' contributions (floored at zero) and the tiers, ascending by
     * threshold, of the current rule table.
     */
    public static Score of(String participantId, long sumOfContributions, long version,
            List<TierDefinition> tiers, Instant asOf) {
        long score = Math.max(0, sumOfContributions);
        TierDefinition reached = null;
        TierDefinition next = null;
        for (TierDefinition tier : tiers) {
            if (tier.threshold() <= score) {
                reached = tier;
            } else {
                next = tier;
                break;
            }
        }
        return new Score(participantId, score, reached, next == null ? "" : next.name(),
                next == null ? 0 : next.threshold() - score, version, asOf);
    }
}
