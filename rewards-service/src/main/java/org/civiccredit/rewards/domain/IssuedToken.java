package org.civiccredit.rewards.domain;

import java.time.Instant;
import java.util.UUID;

/** A one-time redeem token as handed to the participant; {@code offerId} is null when not bound to an offer. */
public record IssuedToken(String token, Instant expiresAt, UUID offerId) {
}
