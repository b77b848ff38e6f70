package org.civiccredit.scoring.domain;

import java.time.Instant;

/**
 * A participant's score as the live cache holds it: the score, the rule table whose tiers it was placed in,
 * and until when it holds — the earliest {@code counts_until} among the events that contribute to it
 * (null when none does). Past that moment an event's window has ended and the score must be recomputed.
 */
public record LiveScore(Score score, long ruleTableVersion, Instant validUntil) {

    public String participantId() {
        return score.participantId();
    }

    public long version() {
        return score.version();
    }

    /** Whether the score still holds at {@code now} (no contributing event's window has ended). */
    public boolean validAt(Instant now) {
        return validUntil == null || validUntil.isAfter(now);
    }

    /** The same score placed in other tiers (after a new rule table was published). */
    public LiveScore withTiers(Tiers tiers) {
        return new LiveScore(tiers.scoreOf(score.participantId(), score.score(), score.version(), score.asOf()),
                tiers.ruleTableVersion(), validUntil);
    }
}
