package org.civiccredit.reports.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.reports.domain.CatalogRule;

/** Row of table {@code rule_catalog}: one rule of one rule table version, as intake needs it. */
@Entity
@Table(name = "rule_catalog")
@IdClass(RuleCatalogEntity.Key.class)
public class RuleCatalogEntity extends PanacheEntityBase {

    /** Primary key: (version, code). */
    public record Key(long version, String code) implements Serializable {
        public Key() {
            this(0, null);
        }
    }

    @Id
    public long version;

    @Id
    public String code;

    @Enumerated(EnumType.STRING)
    public ConductCategory category;

    public String title;

    @Column(name = "per_unit")
    public boolean perUnit;

    @Column(name = "unit_cap")
    public int unitCap;

    public CatalogRule toDomain() {
        return new CatalogRule(version, code, category, title, perUnit, unitCap);
    }
}
