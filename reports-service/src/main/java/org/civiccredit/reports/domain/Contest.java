package org.civiccredit.reports.domain;

import java.time.Instant;
import java.util.UUID;

/** A participant's challenge of a report about them, and how it was decided. */
public record Contest(UUID contestId, UUID reportId, UUID participantId, String statement, Instant openedAt,
        State state, Instant decidedAt, String decisionReason, String reviewer) {

    /** Where a contest stands. */
    public enum State {
        OPEN, UPHELD, OVERTURNED, CLOSED
    }

    /** A reviewer's decision. */
    public enum Decision {
        UPHOLD, OVERTURN
    }
}
