package org.civiccredit.scoring.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;

/** One score tier of one rule table version. */
@Entity
@Table(name = "tier")
@IdClass(TierEntity.Key.class)
public class TierEntity extends PanacheEntityBase {

    /** Primary key: (version, name). */
    public record Key(long version, String name) implements Serializable {
        public Key() {
            this(0, null);
        }
    }

    @Id
    public long version;

    @Id
    public String name;

    public int position;

    public long threshold;
}
