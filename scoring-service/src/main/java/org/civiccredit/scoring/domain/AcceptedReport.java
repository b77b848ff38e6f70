package org.civiccredit.scoring.domain;

import java.time.Instant;
import java.util.Objects;

/** A report reports-service accepted, as delivered to scoring-service to be turned into a score event. */
public record AcceptedReport(String reportId, String participantId, String agencyId, String ruleCode,
        long ruleTableVersion, int quantity, Instant occurredAt, String evidenceRef) {

    /** Whether {@code event} was computed from this very report data (a redelivery), not other data. */
    public boolean sameAs(ScoreEvent event) {
        return reportId.equals(event.reportId())
                && participantId.equals(event.participantId())
                && agencyId.equals(event.agencyId())
                && ruleCode.equals(event.ruleCode())
                && ruleTableVersion == event.ruleTableVersion()
                && quantity == event.quantity()
                && occurredAt.equals(event.occurredAt())
                && Objects.equals(evidenceRef, event.evidenceRef());
    }
}
