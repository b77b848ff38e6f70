package org.civiccredit.rewards.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Row of table {@code tier}: a tier of the current rule table. */
@Entity
@Table(name = "tier")
public class TierEntity extends PanacheEntityBase {

    @Id
    public String name;

    @Column(nullable = false)
    public long threshold;
}
