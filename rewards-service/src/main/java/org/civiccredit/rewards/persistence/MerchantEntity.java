package org.civiccredit.rewards.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.civiccredit.rewards.domain.Merchant;

/** Row of table {@code merchant}. */
@Entity
@Table(name = "merchant")
public class MerchantEntity extends PanacheEntityBase {

    @Id
    @Column(name = "merchant_id")
    public String merchantId;

    @Column(name = "display_name", nullable = false)
    public String displayName;

    @Column(name = "client_id", nullable = false)
    public String clientId;

    @Column(nullable = false)
    public String status;

    @Column(name = "suspension_reason")
    public String suspensionReason;

    @Column(name = "suspended_at")
    public Instant suspendedAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public Merchant toDomain() {
        return new Merchant(merchantId, displayName, clientId, "SUSPENDED".equals(status), suspensionReason,
                suspendedAt, createdAt);
    }
}
