package org.civiccredit.scoring.persistence;

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
import org.civiccredit.scoring.domain.CapPeriod;

/** One rule of one rule table version. */
@Entity
@Table(name = "rule")
@IdClass(RuleEntity.Key.class)
public class RuleEntity extends PanacheEntityBase {

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

    public int position;

    @Enumerated(EnumType.STRING)
    public ConductCategory category;

    public String title;
    public String description;

    @Column(name = "score_delta")
    public long scoreDelta;

    @Column(name = "per_unit")
    public boolean perUnit;

    @Column(name = "unit_cap")
    public int unitCap;

    @Column(name = "unit_name")
    public String unitName;

    @Column(name = "award_points")
    public long awardPoints;

    @Column(name = "cap_per_period")
    public long capPerPeriod;

    @Enumerated(EnumType.STRING)
    @Column(name = "cap_period")
    public CapPeriod capPeriod;

    @Column(name = "counts_for_s")
    public long countsForSeconds;
}
