package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.rewards.domain.Merchant;
import org.civiccredit.rewards.domain.SettlementStatement;
import org.civiccredit.rewards.persistence.MerchantEntity;

/** Onboards, suspends and reinstates merchants (each a Keycloak client with its merchant_id claim); reads them. */
@ApplicationScoped
public class Merchants {

    private static final Pattern MERCHANT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Transactional
    public Merchant register(String merchantId, String displayName, String clientId) {
        new Violations()
                .require(MERCHANT_ID.matcher(merchantId).matches(), "merchant_id",
                        "1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '-'")
                .require(!displayName.isBlank() && displayName.length() <= 200, "display_name", "1 to 200 characters")
                .require(!clientId.isBlank() && clientId.length() <= 200, "keycloak_client_id", "1 to 200 characters")
                .throwIfAny();
        if (MerchantEntity.findByIdOptional(merchantId).isPresent()) {
            throw Refusal.alreadyExists("merchant " + merchantId + " is already registered");
        }
        if (MerchantEntity.count("clientId", clientId) > 0) {
            throw Refusal.alreadyExists("Keycloak client " + clientId + " already belongs to a merchant");
        }
        MerchantEntity e = new MerchantEntity();
        e.merchantId = merchantId;
        e.displayName = displayName;
        e.clientId = clientId;
        e.status = "ACTIVE";
        e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        e.updatedAt = e.createdAt;
        e.persist();
        return e.toDomain();
    }

    /** Suspends a merchant; a suspended merchant is returned unchanged (the original reason stays). */
    @Transactional
    public Merchant suspend(String merchantId, String reason) {
        new Violations().require(!reason.isBlank() && reason.length() <= 500, "reason", "1 to 500 characters")
                .throwIfAny();
        MerchantEntity e = locked(merchantId);
        if (!"SUSPENDED".equals(e.status)) {
            e.status = "SUSPENDED";
            e.suspensionReason = reason;
            e.suspendedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            e.updatedAt = e.suspendedAt;
        }
        return e.toDomain();
    }

    /** Lifts a suspension; an active merchant is returned unchanged. */
    @Transactional
    public Merchant reinstate(String merchantId) {
        MerchantEntity e = locked(merchantId);
        if ("SUSPENDED".equals(e.status)) {
            e.status = "ACTIVE";
            e.suspensionReason = null;
            e.suspendedAt = null;
            e.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        }
        return e.toDomain();
    }

    /**
     * The merchant's settlement totals over [start, end), by settlement time; a hold past its TTL counts as
     * expired at its expiry even before a sweep records it.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public SettlementStatement statement(String merchantId, Instant start, Instant end, Instant now) {
        Object[] r = (Object[]) MerchantEntity.getEntityManager().createNativeQuery("""
                SELECT coalesce(sum(points_captured) FILTER (WHERE state = 'CAPTURED'), 0)::bigint,
                       coalesce(sum(points_released) FILTER (WHERE state = 'VOIDED'), 0)::bigint,
                       count(*) FILTER (WHERE state = 'CAPTURED'),
                       count(*) FILTER (WHERE state = 'VOIDED'),
                       count(*) FILTER (WHERE state IN ('EXPIRED', 'HELD'))
                FROM redemption WHERE merchant_id = ?1 AND ((settled_at >= ?2 AND settled_at < ?3)
                    OR (state = 'HELD' AND hold_expires_at >= ?2 AND hold_expires_at < ?3 AND hold_expires_at <= ?4))""")
                .setParameter(1, merchantId).setParameter(2, start).setParameter(3, end).setParameter(4, now)
                .getSingleResult();
        return new SettlementStatement(merchantId, start, end, ((Number) r[0]).longValue(),
                ((Number) r[1]).longValue(), ((Number) r[2]).longValue(), ((Number) r[3]).longValue(),
                ((Number) r[4]).longValue(), now);
    }

    private static MerchantEntity locked(String merchantId) {
        MerchantEntity e = MerchantEntity.findById(merchantId, LockModeType.PESSIMISTIC_WRITE);
        if (e == null) {
            throw Refusal.notFound("no merchant " + merchantId);
        }
        return e;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Merchant get(String merchantId) {
        return MerchantEntity.<MerchantEntity>findByIdOptional(merchantId).map(MerchantEntity::toDomain)
                .orElseThrow(() -> Refusal.notFound("no merchant " + merchantId));
    }
}
