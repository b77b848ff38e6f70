package org.civiccredit.scoring.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Header row of one published rule table version. */
@Entity
@Table(name = "rule_table")
public class RuleTableEntity extends PanacheEntityBase {

    @Id
    public long version;

    @Column(name = "published_at", nullable = false)
    public Instant publishedAt;

    @Column(name = "published_by", nullable = false)
    public String publishedBy;

    @Column(nullable = false)
    public String notes;
}
