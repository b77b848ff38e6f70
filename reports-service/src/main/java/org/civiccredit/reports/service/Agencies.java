package org.civiccredit.reports.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.reports.domain.Agency;
import org.civiccredit.reports.persistence.AgencyEntity;

/** Registers partner agencies with their scope, suspends and reinstates them. */
@ApplicationScoped
public class Agencies {

    private static final Pattern AGENCY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * Registers an agency. {@code scope} entries are null where the caller sent an unknown category, so the
     * violation can name its position.
     */
    @Transactional
    public Agency register(String agencyId, String displayName, List<ConductCategory> scope, String clientId) {
        Violations v = new Violations();
        v.require(AGENCY_ID.matcher(agencyId).matches(), "agency_id", "1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '-'");
        v.require(!displayName.isBlank() && displayName.length() <= 200, "display_name", "1 to 200 characters");
        v.require(!scope.isEmpty(), "allowed_categories", "an agency needs at least one category");
        Set<ConductCategory> categories = EnumSet.noneOf(ConductCategory.class);
        for (int i = 0; i < scope.size(); i++) {
            ConductCategory c = scope.get(i);
            if (c == null) {
                v.add("allowed_categories[" + i + "]", "not a published conduct category");
            } else if (!categories.add(c)) {
                v.add("allowed_categories[" + i + "]", "duplicate category " + c);
            }
        }
        v.require(!clientId.isBlank() && clientId.length() <= 200, "keycloak_client_id", "1 to 200 characters");
        v.throwIfAny();
        if (AgencyEntity.findByIdOptional(agencyId).isPresent()) {
            throw Refusal.alreadyExists("agency " + agencyId + " is already registered");
        }
        if (AgencyEntity.count("clientId", clientId) > 0) {
            throw Refusal.alreadyExists("Keycloak client " + clientId + " already belongs to an agency");
        }
        AgencyEntity e = new AgencyEntity();
        e.agencyId = agencyId;
        e.displayName = displayName;
        e.clientId = clientId;
        e.categories = categories;
        e.status = "ACTIVE";
        e.createdAt = now();
        e.updatedAt = e.createdAt;
        e.persist();
        return e.toDomain();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Agency get(String agencyId) {
        return find(agencyId).toDomain();
    }

    /** Agencies registered after {@code afterId} (empty: from the first), in id order. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Agency> list(Boolean suspended, String afterId, int limit) {
        String status = suspended == null ? null : suspended ? "SUSPENDED" : "ACTIVE";
        return AgencyEntity.<AgencyEntity>find("""
                (?1 IS NULL OR status = ?1) AND agencyId > ?2 ORDER BY agencyId""", status, afterId)
                .page(0, limit).list().stream().map(AgencyEntity::toDomain).toList();
    }

    /** Suspends an agency; suspending a suspended agency leaves it (and its first reason) unchanged. */
    @Transactional
    public Agency suspend(String agencyId, String reason) {
        Violations v = new Violations();
        v.require(!reason.isBlank() && reason.length() <= 500, "reason", "1 to 500 characters");
        v.throwIfAny();
        AgencyEntity e = find(agencyId);
        if (!"SUSPENDED".equals(e.status)) {
            e.status = "SUSPENDED";
            e.suspensionReason = reason;
            e.suspendedAt = now();
            e.updatedAt = e.suspendedAt;
        }
        return e.toDomain();
    }

    /** Lifts a suspension; reinstating an active agency leaves it unchanged. */
    @Transactional
    public Agency reinstate(String agencyId) {
        AgencyEntity e = find(agencyId);
        if ("SUSPENDED".equals(e.status)) {
            e.status = "ACTIVE";
            e.suspensionReason = null;
            e.suspendedAt = null;
            e.updatedAt = now();
        }
        return e.toDomain();
    }

    private static AgencyEntity find(String agencyId) {
        if (agencyId.isEmpty()) {
            throw Refusal.invalid("agency_id", "required");
        }
        return AgencyEntity.<AgencyEntity>findByIdOptional(agencyId)
                .orElseThrow(() -> Refusal.notFound("no agency " + agencyId));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
