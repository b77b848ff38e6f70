package org.civiccredit.rewards.domain;

import java.time.Instant;

/** A merchant that honours points; it learns only what a redemption needs. */
public record Merchant(String merchantId, String displayName, String keycloakClientId, boolean suspended,
        String suspensionReason, Instant suspendedAt, Instant createdAt) {
}
