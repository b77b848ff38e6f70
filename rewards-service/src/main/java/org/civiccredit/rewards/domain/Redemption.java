package org.civiccredit.rewards.domain;

import java.time.Instant;
import java.util.UUID;

/** A two-phase redemption as a merchant sees it: nothing about the participant. */
public record Redemption(UUID redemptionId, UUID offerId, String merchantId, String offerTitle, long pointsHeld,
        long pointsCaptured, long pointsReleased, RedemptionState state, Instant reservedAt, Instant holdExpiresAt,
        Instant settledAt) {
}
