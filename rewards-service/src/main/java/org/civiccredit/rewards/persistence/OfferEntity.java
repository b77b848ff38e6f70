package org.civiccredit.rewards.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.civiccredit.rewards.domain.LimitPeriod;
import org.civiccredit.rewards.domain.Offer;

/** Row of table {@code offer}. */
@Entity
@Table(name = "offer")
public class OfferEntity extends PanacheEntityBase {

    @Id
    @Column(name = "offer_id")
    public UUID offerId;

    @Column(name = "merchant_id", nullable = false)
    public String merchantId;

    @Column(nullable = false)
    public String title;

    @Column(nullable = false)
    public String description;

    @Column(name = "points_cost", nullable = false)
    public long pointsCost;

    @Column(name = "minimum_tier_name")
    public String minimumTierName;

    @Column(nullable = false)
    public long stock;

    @Column(name = "stock_remaining", nullable = false)
    public long stockRemaining;

    @Column(name = "limit_per_participant", nullable = false)
    public int limitPerParticipant;

    @Column(name = "limit_period")
    public String limitPeriod;

    @Column(nullable = false)
    public String state;

    @Column(name = "published_at", nullable = false)
    public Instant publishedAt;

    @Column(name = "retired_at")
    public Instant retiredAt;

    public boolean retired() {
        return "RETIRED".equals(state);
    }

    public Offer toDomain(String merchantDisplayName) {
        return new Offer(offerId, merchantId, merchantDisplayName, title, description, pointsCost,
                minimumTierName == null ? "" : minimumTierName, stock, stockRemaining, limitPerParticipant,
                limitPeriod == null ? null : LimitPeriod.valueOf(limitPeriod), retired(), publishedAt, retiredAt);
    }
}
