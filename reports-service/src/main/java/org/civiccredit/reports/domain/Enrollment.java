package org.civiccredit.reports.domain;

import java.time.Instant;
import java.util.UUID;

/** A participant's enrolment; {@code subject} is null once they withdrew (erased). */
public record Enrollment(UUID participantId, String subject, boolean enrolled, long consentVersion,
        Instant enrolledAt, Instant withdrawnAt) {
}
