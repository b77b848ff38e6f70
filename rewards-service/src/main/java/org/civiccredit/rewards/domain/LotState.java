package org.civiccredit.rewards.domain;

/** Life of an award lot: pending, then available until spent, expired or reversed. */
public enum LotState {
    PENDING, AVAILABLE, SPENT, EXPIRED, REVERSED;

    /** Whether the lot still has a remainder that can move (pending or available). */
    public boolean open() {
        return this == PENDING || this == AVAILABLE;
    }
}
