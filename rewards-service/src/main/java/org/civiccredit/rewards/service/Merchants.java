package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.rewards.domain.Merchant;
import org.civiccredit.rewards.persistence.MerchantEntity;

/** Onboards merchants (each a Keycloak client carrying its merchant_id claim) and reads them. */
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

    @Transactional(Transactional.TxType.SUPPORTS)
    public Merchant get(String merchantId) {
        return MerchantEntity.<MerchantEntity>findByIdOptional(merchantId).map(MerchantEntity::toDomain)
                .orElseThrow(() -> Refusal.notFound("no merchant " + merchantId));
    }
}
