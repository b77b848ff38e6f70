package org.civiccredit.reports.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.kit.persistence.NativeReads;
import org.civiccredit.reports.domain.Agency;
import org.hibernate.query.NativeQuery;

/** Row of table {@code agency} with its scope in {@code agency_category}. */
@Entity
@Table(name = "agency")
public class AgencyEntity extends PanacheEntityBase {

    @Id
    @Column(name = "agency_id")
    public String agencyId;

    @Column(name = "display_name", nullable = false)
    public String displayName;

    @Column(name = "client_id", nullable = false)
    public String clientId;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "agency_category", joinColumns = @JoinColumn(name = "agency_id"))
    @Column(name = "category")
    @Enumerated(EnumType.STRING)
    public Set<ConductCategory> categories = EnumSet.noneOf(ConductCategory.class);

    @Column(nullable = false)
    public String status;

    @Column(name = "suspension_reason")
    public String suspensionReason;

    @Column(name = "suspended_at")
    public Instant suspendedAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The name participants see for an agency (its id when it is not registered). */
    public static String displayNameOf(String agencyId) {
        return AgencyEntity.<AgencyEntity>findByIdOptional(agencyId).map(a -> a.displayName).orElse(agencyId);
    }

    /**
     * The registered agencies among {@code agencyIds}, each with its scope, read in one statement that loads no
     * entities and has one text for any number of ids ({@link NativeReads}): intake reads the submitting agencies on
     * every call, and a suspension committed before the read is seen by it.
     */
    public static Map<String, Agency> readAll(Collection<String> agencyIds) {
        if (agencyIds.isEmpty()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = getEntityManager().createNativeQuery("""
                SELECT a.agency_id, a.display_name, a.client_id, a.status, a.suspension_reason, a.suspended_at,
                    a.created_at,
                    (SELECT string_agg(c.category, ',') FROM agency_category c WHERE c.agency_id = a.agency_id)
                FROM agency a WHERE a.agency_id = ANY(cast(?1 AS varchar[]))""").unwrap(NativeQuery.class)
                .addSynchronizedEntityClass(AgencyEntity.class).addSynchronizedQuerySpace("agency_category")
                .setParameter(1, agencyIds.stream().distinct().toArray(String[]::new)).getResultList();
        Map<String, Agency> agencies = new HashMap<>();
        for (Object[] r : rows) {
            Set<ConductCategory> scope = EnumSet.noneOf(ConductCategory.class);
            if (r[7] != null) {
                for (String category : ((String) r[7]).split(",")) {
                    scope.add(ConductCategory.valueOf(category));
                }
            }
            agencies.put((String) r[0], new Agency((String) r[0], (String) r[1], (String) r[2], Set.copyOf(scope),
                    "SUSPENDED".equals(r[3]), (String) r[4], NativeReads.instant(r[5]), NativeReads.instant(r[6])));
        }
        return agencies;
    }

    public Agency toDomain() {
        return new Agency(agencyId, displayName, clientId, Set.copyOf(categories), "SUSPENDED".equals(status),
                suspensionReason, suspendedAt, createdAt);
    }
}
