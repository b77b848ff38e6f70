package org.civiccredit.rewards.domain;

import java.util.OptionalLong;

/**
 * Whether a participant may redeem an offer. The precise verdict is for the participant only; merchants get
 * one undifferentiated NOT_ELIGIBLE so they learn nothing about the participant.
 */
public enum Eligibility {
    ELIGIBLE, INSUFFICIENT_POINTS, TIER_TOO_LOW, LIMIT_REACHED;

    /**
     * @param minimumTierThreshold threshold of the offer's minimum tier; empty when the offer has none
     * @param tierRequired whether the offer names a minimum tier (an unknown tier is never reached)
     * @param participantTierThreshold threshold of the participant's tier; empty when they have none (or it is
     *        unknown here)
     * @param redeemedInPeriod held or captured redemptions of this offer by the participant in the current period
     * @param limit redemptions allowed per period; 0 = no limit
     */
    public static Eligibility check(long available, long cost, boolean tierRequired, OptionalLong minimumTierThreshold,
            OptionalLong participantTierThreshold, long redeemedInPeriod, int limit) {
        if (available < cost) {
            return INSUFFICIENT_POINTS;
        }
        if (tierRequired && (minimumTierThreshold.isEmpty() || participantTierThreshold.isEmpty()
                || participantTierThreshold.getAsLong() < minimumTierThreshold.getAsLong())) {
            return TIER_TOO_LOW;
        }
        if (limit > 0 && redeemedInPeriod >= limit) {
            return LIMIT_REACHED;
        }
        return ELIGIBLE;
    }
}
