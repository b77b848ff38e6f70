package org.civiccredit.reports.domain;

import java.time.Instant;

/** What an agency submits; {@code occurredAt} is null when missing. */
public record ReportSubmission(String participantId, String ruleCode, int quantity, Instant occurredAt,
        String evidenceRef, String note) {
}
