package org.civiccredit.rewards.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Row of table {@code redeem_token}: a one-time token, by the SHA-256 hash of its text. */
@Entity
@Table(name = "redeem_token")
public class RedeemTokenEntity extends PanacheEntityBase {

    @Id
    @Column(name = "token_hash")
    public byte[] tokenHash;

    @Column(name = "participant_id", nullable = false)
    public UUID participantId;

    @Column(name = "offer_id")
    public UUID offerId;

    @Column(name = "issued_at", nullable = false)
    public Instant issuedAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "used_at")
    public Instant usedAt;

    @Column(name = "redemption_id")
    public UUID redemptionId;
}
