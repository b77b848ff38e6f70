package org.civiccredit.rewards.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.civiccredit.rewards.domain.Redemption;
import org.civiccredit.rewards.domain.RedemptionState;

/** Row of table {@code redemption}. */
@Entity
@Table(name = "redemption")
public class RedemptionEntity extends PanacheEntityBase {

    @Id
    @Column(name = "redemption_id")
    public UUID redemptionId;

    /** Never changes (a trigger refuses it: no foreign key guards it, see migration V6); not written by updates. */
    @Column(name = "merchant_id", nullable = false, updatable = false)
    public String merchantId;

    /** Never changes, as {@link #merchantId}. */
    @Column(name = "offer_id", nullable = false, updatable = false)
    public UUID offerId;

    @Column(name = "offer_title", nullable = false, updatable = false)
    public String offerTitle;

    /** Null once the participant is erased. */
    @Column(name = "participant_id")
    public UUID participantId;

    @Column(name = "points_held", nullable = false)
    public long pointsHeld;

    @Column(name = "points_captured", nullable = false)
    public long pointsCaptured;

    @Column(name = "points_released", nullable = false)
    public long pointsReleased;

    @Column(nullable = false)
    public String state;

    @Column(name = "reserved_at", nullable = false)
    public Instant reservedAt;

    @Column(name = "hold_expires_at", nullable = false)
    public Instant holdExpiresAt;

    @Column(name = "settled_at")
    public Instant settledAt;

    public RedemptionState redemptionState() {
        return RedemptionState.valueOf(state);
    }

    public Redemption toDomain() {
        return new Redemption(redemptionId, offerId, merchantId, offerTitle, pointsHeld, pointsCaptured,
                pointsReleased, redemptionState(), reservedAt, holdExpiresAt, settledAt);
    }
}
