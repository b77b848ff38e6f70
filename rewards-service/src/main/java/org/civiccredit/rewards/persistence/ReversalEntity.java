package org.civiccredit.rewards.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Row of table {@code reversal}: a report's reversal as first recorded. */
@Entity
@Table(name = "reversal")
public class ReversalEntity extends PanacheEntityBase {

    @Id
    @Column(name = "report_id")
    public String reportId;

    @Column(name = "lot_id", nullable = false)
    public UUID lotId;

    @Column(nullable = false)
    public String reason;

    @Column(name = "clawed_back", nullable = false)
    public long clawedBack;

    @Column(nullable = false)
    public long shortfall;

    @Column(name = "reversed_at", nullable = false)
    public Instant reversedAt;
}
