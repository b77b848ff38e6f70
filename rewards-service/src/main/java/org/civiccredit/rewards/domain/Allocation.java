package org.civiccredit.rewards.domain;

import java.util.UUID;

/** Points an open hold took from one lot. */
public record Allocation(UUID lotId, long points) {
}
