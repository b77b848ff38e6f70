package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.rewards.domain.LimitPeriod;
import org.civiccredit.rewards.domain.Offer;
import org.civiccredit.rewards.persistence.MerchantEntity;
import org.civiccredit.rewards.persistence.OfferEntity;

/** Merchants' offers: published and retired by their merchant, listed for everyone (active ones) and the merchant. */
@ApplicationScoped
public class Offers {

    @Inject
    Tiers tiers;

    /** What a merchant asks to publish; {@code limitPeriod} null when not given. */
    public record Draft(String title, String description, long pointsCost, String minimumTierName, long stock,
            int limitPerParticipant, LimitPeriod limitPeriod) {
    }

    /** A page of offers and the cursor of the next one (empty on the last page). */
    public record Listing(List<Offer> offers, String nextCursor) {
    }

    @Transactional
    public Offer publish(String merchantId, Draft d, Instant at) {
        Instant now = Wallets.micros(at);
        Violations v = new Violations()
                .require(!d.title().isBlank() && d.title().length() <= 120, "title", "1 to 120 characters")
                .require(d.description().length() <= 2000, "description", "at most 2000 characters")
                .require(d.pointsCost() > 0, "points_cost", "must be more than 0")
                .require(d.stock() > 0, "stock", "must be more than 0")
                .require(d.limitPerParticipant() >= 0, "limit_per_participant", "must be 0 (no limit) or more")
                .require(d.limitPerParticipant() <= 0 || d.limitPeriod() != null, "limit_period",
                        "required when limit_per_participant is more than 0");
        if (!d.minimumTierName().isEmpty()) {
            v.require(d.minimumTierName().length() <= 64 && tiers.known(d.minimumTierName()), "minimum_tier_name",
                    "not a tier of the current rule table");
        }
        v.throwIfAny();
        MerchantEntity merchant = activeMerchant(merchantId);
        OfferEntity e = new OfferEntity();
        e.offerId = UUID.randomUUID();
        e.merchantId = merchantId;
        e.title = d.title();
        e.description = d.description();
        e.pointsCost = d.pointsCost();
        e.minimumTierName = d.minimumTierName().isEmpty() ? null : d.minimumTierName();
        e.stock = d.stock();
        e.stockRemaining = d.stock();
        e.limitPerParticipant = d.limitPerParticipant();
        e.limitPeriod = d.limitPerParticipant() > 0 ? d.limitPeriod().name() : null;
        e.state = "ACTIVE";
        e.publishedAt = now;
        e.persist();
        return e.toDomain(merchant.displayName);
    }

    /** Retires an offer of the calling merchant; retiring a retired offer returns it unchanged. */
    @Transactional
    public Offer retire(String merchantId, String offerId, Instant at) {
        Instant now = Wallets.micros(at);
        OfferEntity e = Redemptions.uuid(offerId)
                .map(id -> OfferEntity.<OfferEntity>findById(id, LockModeType.PESSIMISTIC_WRITE))
                .filter(o -> o.merchantId.equals(merchantId))
                .orElseThrow(() -> Refusal.notFound("no offer " + offerId));
        if (!e.retired()) {
            e.state = "RETIRED";
            e.retiredAt = now;
        }
        return e.toDomain(MerchantEntity.<MerchantEntity>findById(merchantId).displayName);
    }

    /**
     * Offers newest first: a merchant's own (retired included) when {@code merchantId} is given, otherwise the
     * active offers of active merchants.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Listing list(String merchantId, Page page) {
        StringBuilder q = new StringBuilder();
        Map<String, Object> params = new HashMap<>();
        if (merchantId != null) {
            q.append("merchantId = :merchant");
            params.put("merchant", merchantId);
        } else {
            q.append("state = 'ACTIVE' AND merchantId IN (SELECT m.merchantId FROM MerchantEntity m "
                    + "WHERE m.status = 'ACTIVE')");
        }
        if (!page.first()) {
            ListCursor c = ListCursor.parse(page.cursor());
            q.append(" AND (publishedAt < :at OR (publishedAt = :at AND offerId < :id))");
            params.put("at", c.at());
            params.put("id", c.id());
        }
        q.append(" ORDER BY publishedAt DESC, offerId DESC");
        List<OfferEntity> rows = OfferEntity.<OfferEntity>find(q.toString(), params).range(0, page.size()).list();
        Map<String, String> names = new HashMap<>();
        List<Offer> offers = new ArrayList<>();
        for (OfferEntity o : rows.subList(0, Math.min(rows.size(), page.size()))) {
            String name = names.computeIfAbsent(o.merchantId,
                    id -> MerchantEntity.<MerchantEntity>findById(id).displayName);
            offers.add(o.toDomain(name));
        }
        String next = "";
        if (rows.size() > page.size()) {
            Offer last = offers.get(offers.size() - 1);
            next = new ListCursor(last.publishedAt(), last.offerId()).format();
        }
        return new Listing(offers, next);
    }

    private static MerchantEntity activeMerchant(String merchantId) {
        MerchantEntity m = MerchantEntity.findById(merchantId);
        if (m == null) {
            throw Refusal.permissionDenied("merchant " + merchantId + " is not registered with rewards-service");
        }
        if ("SUSPENDED".equals(m.status)) {
            throw Refusal.failedPrecondition("MERCHANT_SUSPENDED", "the merchant is suspended");
        }
        return m;
    }
}
