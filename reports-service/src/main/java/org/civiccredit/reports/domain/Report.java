package org.civiccredit.reports.domain;

import java.time.Instant;
import java.util.UUID;
import org.civiccredit.kit.domain.ConductCategory;

/** An accepted report about one participant's conduct, as the agency submitted it. */
public record Report(UUID reportId, String agencyId, String agencyName, UUID participantId, String ruleCode,
        long ruleTableVersion, ConductCategory category, String ruleTitle, int quantity, Instant occurredAt,
        Instant receivedAt, String evidenceRef, String note, ReportStatus status, Instant statusChangedAt,
        String withdrawalReason) {
}
