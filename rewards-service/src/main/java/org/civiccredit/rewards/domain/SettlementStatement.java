package org.civiccredit.rewards.domain;

import java.time.Instant;

/** A merchant's settlement totals over [start, end), by settlement time. */
public record SettlementStatement(String merchantId, Instant start, Instant end, long pointsCaptured,
        long pointsVoided, long capturedCount, long voidedCount, long expiredCount, Instant generatedAt) {
}
