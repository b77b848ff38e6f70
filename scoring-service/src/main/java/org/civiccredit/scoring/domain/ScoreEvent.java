package org.civiccredit.scoring.domain;

import java.time.Instant;
import java.util.UUID;
import org.civiccredit.kit.domain.ConductCategory;

/**
 * The effect of one report on one participant's score, with its provenance. {@code status} is the decided
 * status (never EXPIRED; see {@link #statusAt}); {@code participantId} is null and {@code evidenceRef} empty
 * once the participant was erased (the event is kept anonymously).
 */
public record ScoreEvent(UUID eventId, String reportId, String participantId, String agencyId, String ruleCode,
        long ruleTableVersion, ConductCategory category, String ruleTitle, int quantity, int countedUnits,
        long uncappedDelta, long delta, boolean capped, long awardPoints, Instant occurredAt, Instant appliedAt,
        Instant countsUntil, String evidenceRef, EventStatus status, Instant frozenAt, Instant reversedAt,
        ReversalCause reversalCause, String reversalReason) {

    /** The status a participant sees at {@code now}: a counting event whose window ended is EXPIRED. */
    public EventStatus statusAt(Instant now) {
        return status == EventStatus.COUNTING && !countsUntil.isAfter(now) ? EventStatus.EXPIRED : status;
    }

    /**
     * What this event adds to the score at {@code now}: its delta while counting; while frozen its delta if
     * positive and zero for a deduction; nothing once reversed or outside its counting window.
     */
    public long contributionAt(Instant now) {
        if (!countsUntil.isAfter(now)) {
            return 0;
        }
        return switch (status) {
            case COUNTING -> delta;
            case FROZEN -> Math.max(delta, 0);
            case REVERSED, EXPIRED -> 0;
        };
    }

    /**
     * Whether this event is among those the score is summed over at {@code now}: its window has not ended and
     * it is counting, or frozen with a positive delta. The earliest end of their windows is when the score
     * next changes by itself ({@code participant.score_valid_until}).
     */
    public boolean contributesAt(Instant now) {
        return countsUntil.isAfter(now)
                && (status == EventStatus.COUNTING || status == EventStatus.FROZEN && delta > 0);
    }
}
