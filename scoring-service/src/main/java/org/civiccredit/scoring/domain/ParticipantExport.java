package org.civiccredit.scoring.domain;

import java.time.Instant;
import java.util.List;

/** Everything scoring-service holds about one participant, for their data export. */
public record ParticipantExport(Score score, List<ScoreEvent> events, List<AppliedRule> rulesApplied,
        String keycloakSubject, Instant registeredAt) {

    /** A rule as it stood in the table version an event was computed with. */
    public record AppliedRule(long ruleTableVersion, RuleDefinition rule) {
    }
}
