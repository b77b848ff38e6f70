package org.civiccredit.rewards.domain;

/** State of a two-phase redemption: held, then captured, voided or expired. */
public enum RedemptionState {
    HELD, CAPTURED, VOIDED, EXPIRED
}
