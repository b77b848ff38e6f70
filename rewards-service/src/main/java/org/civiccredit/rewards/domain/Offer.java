package org.civiccredit.rewards.domain;

import java.time.Instant;
import java.util.UUID;

/** Something a merchant offers for points; {@code minimumTierName} is empty and {@code limitPeriod} null when unset. */
public record Offer(UUID offerId, String merchantId, String merchantDisplayName, String title, String description,
        long pointsCost, String minimumTierName, long stock, long stockRemaining, int limitPerParticipant,
        LimitPeriod limitPeriod, boolean retired, Instant publishedAt, Instant retiredAt) {
}
