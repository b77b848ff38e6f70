package org.civiccredit.reports.domain;

import java.time.Instant;
import java.util.Set;
import org.civiccredit.kit.domain.ConductCategory;

/** A partner agency: who may report, and on which conduct categories (its scope). */
public record Agency(String agencyId, String displayName, String keycloakClientId, Set<ConductCategory> scope,
        boolean suspended, String suspensionReason, Instant suspendedAt, Instant createdAt) {
}
