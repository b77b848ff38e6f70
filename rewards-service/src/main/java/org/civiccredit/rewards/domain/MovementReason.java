package org.civiccredit.rewards.domain;

/** Why points moved; each reason names what its reference is. */
public enum MovementReason {
    /** Issuance to pending for a report; reference: report id. */
    REPORT_AWARD,
    /** Clawback of a reversed report's award; reference: report id. */
    REVERSAL,
    /** Available to held by a reservation; reference: redemption id. */
    REDEMPTION_HOLD,
    /** Held to the merchant's settlement account; reference: redemption id. */
    REDEMPTION_CAPTURE,
    /** Held back to available (void, expiry, partial-capture remainder); reference: redemption id. */
    REDEMPTION_RELEASE,
    /** A lot's remainder to the programme's expired account; reference: lot id. */
    EXPIRY,
    /** A lot's points from pending to available; reference: lot id. */
    AWARD_AVAILABLE,
    /** Balance forfeited on withdrawal; no reference. */
    WITHDRAWAL_FORFEIT
}
