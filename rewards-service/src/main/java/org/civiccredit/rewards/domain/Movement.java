package org.civiccredit.rewards.domain;

import java.time.Instant;
import java.util.UUID;

/** A recorded movement of a participant's points, as the participant sees it. */
public record Movement(UUID movementId, MovementReason reason, long amount, AccountKind from, AccountKind to,
        String reference, Instant occurredAt) {
}
