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
import java.util.EnumSet;
import java.util.Set;
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.reports.domain.Agency;

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

    public Agency toDomain() {
        return new Agency(agencyId, displayName, clientId, Set.copyOf(categories), "SUSPENDED".equals(status),
                suspensionReason, suspendedAt, createdAt);
    }
}
