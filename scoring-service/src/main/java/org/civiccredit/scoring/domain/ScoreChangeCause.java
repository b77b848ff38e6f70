package org.civiccredit.scoring.domain;

/** What changed a participant's score (the contract's ScoreChangeCause). */
public enum ScoreChangeCause {
    /** Not a change: the current state, first on a stream. */
    CURRENT,
    REPORT_APPLIED,
    EVENT_FROZEN,
    EVENT_UNFROZEN,
    EVENT_REVERSED,
    /** An event's counting window ended. */
    EVENT_EXPIRED,
    /** A newly published rule table changed the tiers. */
    TIERS_CHANGED
}
