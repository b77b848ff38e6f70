package org.civiccredit.rewards.domain;

/** A reversed lot and the reversal as first recorded. */
public record ReversedAward(AwardLot lot, Reversal reversal) {
}
