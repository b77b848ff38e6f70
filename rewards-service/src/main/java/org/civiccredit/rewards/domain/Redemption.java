package org.civiccredit.rewards.domain;

import java.time.Instant;
import java.util.UUID;

/** A two-phase redemption as a merchant sees it: nothing about the participant. */
public record Redemption(UUID redemptionId, UUID offerId, String merchantId, String offerTitle, long pointsHeld,
        long pointsCaptured, long pointsReleased, RedemptionState state, Instant reservedAt, Instant holdExpiresAt,
        Instant settledAt) {

    /**
     * The redemption as it stands at {@code now}: a hold past its TTL is expired, with all its points released,
     * from that moment on, whether or not a sweep or the participant's wallet has recorded it yet.
     */
    public Redemption asOf(Instant now) {
        if (state != RedemptionState.HELD || now.isBefore(holdExpiresAt)) {
            return this;
        }
        return new Redemption(redemptionId, offerId, merchantId, offerTitle, pointsHeld, 0, pointsHeld,
                RedemptionState.EXPIRED, reservedAt, holdExpiresAt, holdExpiresAt);
    }
}
