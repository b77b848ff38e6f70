package org.civiccredit.reports.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Row of table {@code consent_text}. */
@Entity
@Table(name = "consent_text")
public class ConsentTextEntity extends PanacheEntityBase {

    @Id
    public long version;

    public String language;

    public String text;

    @Column(name = "published_at")
    public Instant publishedAt;
}
