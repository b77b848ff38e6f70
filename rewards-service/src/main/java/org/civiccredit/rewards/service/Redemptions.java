package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.rewards.config.RewardsConfig;
import org.civiccredit.rewards.domain.Allocation;
import org.civiccredit.rewards.domain.Eligibility;
import org.civiccredit.rewards.domain.IssuedToken;
import org.civiccredit.rewards.domain.LimitPeriod;
import org.civiccredit.rewards.domain.ParticipantWallet;
import org.civiccredit.rewards.domain.Redemption;
import org.civiccredit.rewards.domain.RedemptionState;
import org.civiccredit.rewards.persistence.MerchantEntity;
import org.civiccredit.rewards.persistence.OfferEntity;
import org.civiccredit.rewards.persistence.ParticipantEntity;
import org.civiccredit.rewards.persistence.RedeemTokenEntity;
import org.civiccredit.rewards.persistence.RedemptionEntity;
import org.civiccredit.rewards.persistence.WalletStore;

/**
 * Two-phase redemption: participants issue one-time redeem tokens; merchants reserve (points move to held),
 * then capture (fully or partly) or void. Lock order, on every path: the participant's row (every change to their
 * wallet, holds and redemptions holds it), then the token's (or, once the participant was erased, the redemption's),
 * then offer rows (one, last; or several, all at once in id order). So the available balance never goes below zero
 * and a hold is settled at most once, on any number of instances; the token is consumed atomically by the first
 * successful reservation. The tiers of a tier-gated offer are read from scoring-service before any lock is taken; if
 * they cannot be read, nothing is reserved (UNAVAILABLE).
 */
@ApplicationScoped
public class Redemptions {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Tiers.Standing NO_TIER = new Tiers.Standing(OptionalLong.empty(), OptionalLong.empty());

    @Inject
    RewardsConfig config;

    @Inject
    WalletStore store;

    @Inject
    Wallets wallets;

    @Inject
    HoldSettlement settlement;

    @Inject
    Tiers tiers;

    @Inject
    EntityManager em;

    /** A page of redemptions and the cursor of the next one (empty on the last page). */
    public record Listing(List<Redemption> redemptions, String nextCursor) {
    }

    /**
     * Issues a one-time redeem token. With an offer, the participant's eligibility is checked now and a refusal
     * names the precise reason (the merchant would only learn NOT_ELIGIBLE).
     */
    @Transactional
    public IssuedToken issueToken(UUID participantId, String offerId, Instant at) {
        Instant now = Wallets.micros(at);
        UUID offer = null;
        if (!offerId.isEmpty()) {
            Presented presented = offerWithMerchant(offerId)
                    .orElseThrow(() -> Refusal.notFound("no offer " + offerId));
            OfferEntity o = presented.offer();
            requireOpen(o, presented.merchant());
            Tiers.Standing standing = standing(participantId, o);
            ParticipantEntity p = store.lock(participantId);
            WalletStore.Loaded loaded = wallets.open(participantId, o.pointsCost, List.of(), List.of(), now);
            Eligibility verdict = eligibility(p, loaded.wallet(), o, standing, now);
            if (verdict != Eligibility.ELIGIBLE) {
                throw Refusal.failedPrecondition(verdict.name(), switch (verdict) {
                    case INSUFFICIENT_POINTS -> "your available points are below the offer's cost";
                    case TIER_TOO_LOW -> "the offer needs a higher tier than yours";
                    case LIMIT_REACHED -> "you have reached the offer's limit for the current period";
                    case ELIGIBLE -> throw new IllegalStateException();
                });
            }
            store.save(loaded, now);
            offer = o.offerId;
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        RedeemTokenEntity t = new RedeemTokenEntity();
        t.tokenHash = hash(token);
        t.participantId = participantId;
        t.offerId = offer;
        t.issuedAt = now;
        t.expiresAt = now.plus(config.redeemTokenTtl());
        t.persist();
        return new IssuedToken(token, t.expiresAt, offer);
    }

    /**
     * Reserves an offer of the calling merchant for the participant behind a token: holds the cost (oldest
     * lots first), takes one unit of stock and consumes the token. Whether the participant lacks points, tier
     * or limit is deliberately one reason, NOT_ELIGIBLE.
     */
    @Transactional
    public Redemption reserve(String merchantId, String token, String offerId, Instant at) {
        Instant now = Wallets.micros(at);
        Presented presented = offerWithMerchantAndToken(offerId, merchantId, hash(token))
                .orElseThrow(() -> Refusal.notFound("no offer " + offerId));
        OfferEntity offer = presented.offer();
        requireOpen(offer, presented.merchant());
        RedeemTokenEntity t = presented.token();
        if (t == null || (t.offerId != null && !t.offerId.equals(offer.offerId))) {
            throw Refusal.failedPrecondition("TOKEN_INVALID", "the redeem token is not valid for this offer");
        }
        if (t.usedAt != null) {
            throw Refusal.failedPrecondition("TOKEN_USED", "the redeem token was already used");
        }
        if (!now.isBefore(t.expiresAt)) {
            throw Refusal.failedPrecondition("TOKEN_EXPIRED", "the redeem token expired");
        }
        UUID participantId = t.participantId;
        // Read from scoring-service before the wallet is locked, so no lock waits on another service.
        Tiers.Standing standing = standing(participantId, offer);
        ParticipantEntity p = store.lock(participantId);
        if (p == null || p.erasedAt != null) {
            throw Refusal.failedPrecondition("TOKEN_INVALID", "the redeem token is not valid");
        }
        UUID redemptionId = UUID.randomUUID();
        // The token is consumed, and whether the participant holds a redemption past its TTL is read, in one
        // statement made under the participant's lock (Wallets.open then need not read their holds again).
        List<?> consumed = em.createNativeQuery("""
                UPDATE redeem_token SET used_at = ?1, redemption_id = ?2 WHERE token_hash = ?3 AND used_at IS NULL
                RETURNING EXISTS (SELECT 1 FROM redemption WHERE participant_id = ?4 AND state = 'HELD'
                                  AND hold_expires_at <= ?1)""")
                .setParameter(1, now).setParameter(2, redemptionId).setParameter(3, t.tokenHash)
                .setParameter(4, participantId).getResultList();
        if (consumed.isEmpty()) {
            throw Refusal.failedPrecondition("TOKEN_USED", "the redeem token was already used");
        }
        WalletStore.Loaded loaded = wallets.open(participantId, offer.pointsCost, List.of(), List.of(offer.offerId),
                now, (Boolean) consumed.get(0));
        if (eligibility(p, loaded.wallet(), offer, standing, now) != Eligibility.ELIGIBLE) {
            throw Refusal.failedPrecondition("NOT_ELIGIBLE",
                    "the participant behind this token may not redeem this offer");
        }
        List<Allocation> allocations = loaded.wallet().hold(offer.pointsCost, redemptionId.toString(), now)
                .orElseThrow(() -> new IllegalStateException("an eligible participant could not hold the cost"));
        RedemptionEntity r = new RedemptionEntity();
        r.redemptionId = redemptionId;
        r.merchantId = merchantId;
        r.offerId = offer.offerId;
        r.offerTitle = offer.title;
        r.participantId = participantId;
        r.pointsHeld = offer.pointsCost;
        r.state = RedemptionState.HELD.name();
        r.reservedAt = now;
        r.holdExpiresAt = now.plus(config.holdTtl());
        store.insertHold(r, allocations);
        store.save(loaded, now);
        // The stock last: every reservation of this offer waits for its row lock, held from here to the commit.
        int taken = em.createNativeQuery("UPDATE offer SET stock_remaining = stock_remaining - 1 "
                + "WHERE offer_id = ?1 AND stock_remaining > 0 AND state = 'ACTIVE'")
                .setParameter(1, offer.offerId).executeUpdate();
        if (taken == 0) {
            em.refresh(offer);
            throw offer.retired() ? Refusal.failedPrecondition("OFFER_RETIRED", "the offer was retired")
                    : Refusal.failedPrecondition("OUT_OF_STOCK", "the offer is out of stock");
        }
        return r.toDomain();
    }

    /** Captures a held redemption of the calling merchant: {@code points} 0 captures all held points. */
    @Transactional
    public Redemption capture(String merchantId, String redemptionId, long points, Instant at) {
        Instant now = Wallets.micros(at);
        Locked locked = lockedRedemption(merchantId, redemptionId, now);
        RedemptionEntity r = locked.redemption();
        if (locked.merchant().status.equals("SUSPENDED")) {
            throw Refusal.failedPrecondition("MERCHANT_SUSPENDED", "the merchant is suspended");
        }
        switch (r.redemptionState()) {
            case VOIDED -> throw Refusal.failedPrecondition("REDEMPTION_VOIDED", "the redemption was voided");
            case CAPTURED -> throw Refusal.failedPrecondition("REDEMPTION_CAPTURED",
                    "the redemption was already captured");
            case EXPIRED -> throw Refusal.failedPrecondition("HOLD_EXPIRED", "the hold expired before capture");
            case HELD -> {
            }
        }
        if (!now.isBefore(r.holdExpiresAt)) {
            throw Refusal.failedPrecondition("HOLD_EXPIRED", "the hold expired before capture");
        }
        if (points > r.pointsHeld) {
            throw Refusal.invalid("points", "at most the " + r.pointsHeld + " points held");
        }
        long captured = points == 0 ? r.pointsHeld : points;
        List<Allocation> allocations = store.takeAllocations(r.redemptionId);
        WalletStore.Loaded loaded = wallets.open(r.participantId, 0,
                allocations.stream().map(Allocation::lotId).toList(), List.of(), now, locked.overdueHolds());
        settlement.settle(loaded.wallet(), r, allocations, captured, RedemptionState.CAPTURED, now, now);
        store.save(loaded, now);
        return r.toDomain();
    }

    /** Voids a held redemption of the calling merchant; a voided or expired one is returned unchanged. */
    @Transactional
    public Redemption voidHold(String merchantId, String redemptionId, Instant at) {
        Instant now = Wallets.micros(at);
        Locked locked = lockedRedemption(merchantId, redemptionId, now);
        RedemptionEntity r = locked.redemption();
        if (r.redemptionState() == RedemptionState.CAPTURED) {
            throw Refusal.failedPrecondition("REDEMPTION_CAPTURED", "the redemption was captured");
        }
        if (r.redemptionState() != RedemptionState.HELD) {
            return r.toDomain();
        }
        if (!now.isBefore(r.holdExpiresAt)) {
            // Past its TTL: opening the wallet expires it, with the participant's other overdue holds.
            store.save(wallets.open(r.participantId, 0, List.of(), List.of(r.offerId), now), now);
            return r.toDomain();
        }
        List<Allocation> allocations = store.takeAllocations(r.redemptionId);
        WalletStore.Loaded loaded = wallets.open(r.participantId, 0,
                allocations.stream().map(Allocation::lotId).toList(), List.of(r.offerId), now, locked.overdueHolds());
        settlement.settle(loaded.wallet(), r, allocations, 0, RedemptionState.VOIDED, now, now);
        store.save(loaded, now);
        return r.toDomain();
    }

    /**
     * The calling merchant's redemptions as they stand at {@code at} (a hold past its TTL is expired), newest
     * first, optionally filtered by state and reservation time.
     */
    @Transactional
    public Listing list(String merchantId, Page page, Set<RedemptionState> states, Instant from, Instant to,
            Instant at) {
        Instant now = Wallets.micros(at);
        StringBuilder q = new StringBuilder("merchantId = :merchant");
        Map<String, Object> params = new HashMap<>();
        params.put("merchant", merchantId);
        if (!states.isEmpty()) {
            List<String> any = new ArrayList<>();
            if (states.contains(RedemptionState.HELD)) {
                any.add("(state = 'HELD' AND holdExpiresAt > :now)");
            }
            if (states.contains(RedemptionState.EXPIRED)) {
                any.add("state = 'EXPIRED' OR (state = 'HELD' AND holdExpiresAt <= :now)");
            }
            if (!any.isEmpty()) {
                params.put("now", now);
            }
            List<String> settled = states.stream().filter(s -> s == RedemptionState.CAPTURED
                    || s == RedemptionState.VOIDED).map(Enum::name).collect(Collectors.toList());
            if (!settled.isEmpty()) {
                any.add("state IN :states");
                params.put("states", settled);
            }
            q.append(" AND (").append(String.join(" OR ", any)).append(')');
        }
        if (from != null) {
            q.append(" AND reservedAt >= :from");
            params.put("from", from);
        }
        if (to != null) {
            q.append(" AND reservedAt < :to");
            params.put("to", to);
        }
        if (!page.first()) {
            ListCursor c = ListCursor.parse(page.cursor());
            q.append(" AND (reservedAt < :at OR (reservedAt = :at AND redemptionId < :id))");
            params.put("at", c.at());
            params.put("id", c.id());
        }
        q.append(" ORDER BY reservedAt DESC, redemptionId DESC");
        List<RedemptionEntity> rows = RedemptionEntity.<RedemptionEntity>find(q.toString(), params)
                .range(0, page.size()).list();
        List<Redemption> result = new ArrayList<>(rows.stream().map(r -> r.toDomain().asOf(now)).toList());
        String next = "";
        if (result.size() > page.size()) {
            result = new ArrayList<>(result.subList(0, page.size()));
            Redemption last = result.get(result.size() - 1);
            next = new ListCursor(last.reservedAt(), last.redemptionId()).format();
        }
        return new Listing(result, next);
    }

    /**
     * A redemption, its merchant, and whether its participant may hold a redemption past its TTL (read after their
     * lock was taken; true when it could not be read so, to be read again by {@link Wallets#open}).
     */
    private record Locked(RedemptionEntity redemption, MerchantEntity merchant, boolean overdueHolds) {
    }

    /**
     * The calling merchant's redemption and the merchant, read after taking the lock that every change to a
     * redemption holds: its participant's row, found and locked in one statement ({@link WalletStore#lockHolderOf}),
     * so that the redemption is read after whatever changed it last. The same read tells whether the participant
     * holds a redemption past its TTL at {@code now}. A redemption whose participant was erased is locked itself.
     */
    private Locked lockedRedemption(String merchantId, String redemptionId, Instant now) {
        UUID id = uuid(redemptionId).orElseThrow(() -> Refusal.notFound("no redemption " + redemptionId));
        boolean holderLocked = store.lockHolderOf(id, merchantId);
        List<Object[]> rows = em.createQuery("""
                SELECT r, m, EXISTS (SELECT 1 FROM RedemptionEntity o WHERE o.participantId = r.participantId
                                     AND o.state = 'HELD' AND o.holdExpiresAt <= :now)
                FROM RedemptionEntity r JOIN MerchantEntity m ON m.merchantId = r.merchantId
                WHERE r.redemptionId = :id AND r.merchantId = :merchant""", Object[].class)
                .setParameter("id", id).setParameter("merchant", merchantId).setParameter("now", now)
                .getResultList();
        if (rows.isEmpty()) {
            throw Refusal.notFound("no redemption " + redemptionId);
        }
        RedemptionEntity r = (RedemptionEntity) rows.get(0)[0];
        if (!holderLocked) {
            em.refresh(r, LockModeType.PESSIMISTIC_WRITE);
        }
        return new Locked(r, (MerchantEntity) rows.get(0)[1], !holderLocked || (Boolean) rows.get(0)[2]);
    }

    /** The tiers to compare for a tier-gated offer, from scoring-service; nothing to compare otherwise. */
    private Tiers.Standing standing(UUID participantId, OfferEntity offer) {
        return offer.minimumTierName == null ? NO_TIER : tiers.standing(participantId, offer.minimumTierName);
    }

    private Eligibility eligibility(ParticipantEntity p, ParticipantWallet wallet, OfferEntity offer,
            Tiers.Standing standing, Instant now) {
        long used = 0;
        if (offer.limitPerParticipant > 0) {
            LimitPeriod.Window w = LimitPeriod.valueOf(offer.limitPeriod).windowAt(now, config.timeZone());
            used = RedemptionEntity.count("participantId = ?1 AND offerId = ?2 AND state IN ('HELD', 'CAPTURED') "
                    + "AND reservedAt >= ?3 AND reservedAt < ?4", p.participantId, offer.offerId, w.start(), w.end());
        }
        return Eligibility.check(wallet.available(), offer.pointsCost, offer.minimumTierName != null,
                standing.minimumThreshold(), standing.participantThreshold(), used,
                offer.limitPerParticipant);
    }

    private static void requireOpen(OfferEntity offer, MerchantEntity merchant) {
        if ("SUSPENDED".equals(merchant.status)) {
            throw Refusal.failedPrecondition("MERCHANT_SUSPENDED", "the merchant is suspended");
        }
        if (offer.retired()) {
            throw Refusal.failedPrecondition("OFFER_RETIRED", "the offer was retired");
        }
        if (offer.stockRemaining <= 0) {
            throw Refusal.failedPrecondition("OUT_OF_STOCK", "the offer is out of stock");
        }
    }

    /** An offer, its merchant and the redeem token presented for it (null when there is no such token). */
    private record Presented(OfferEntity offer, MerchantEntity merchant, RedeemTokenEntity token) {
    }

    /** An offer and its merchant, in one statement; empty when there is no such offer. */
    private Optional<Presented> offerWithMerchant(String offerId) {
        return uuid(offerId).flatMap(id -> em.createQuery("""
                SELECT o, m FROM OfferEntity o JOIN MerchantEntity m ON m.merchantId = o.merchantId
                WHERE o.offerId = :offer""", Object[].class).setParameter("offer", id).getResultStream().findFirst()
                .map(row -> new Presented((OfferEntity) row[0], (MerchantEntity) row[1], null)));
    }

    /**
     * An offer of the merchant, the merchant, and the redeem token with {@code tokenHash} (null when there is none),
     * in one statement; empty when the merchant has no such offer.
     */
    private Optional<Presented> offerWithMerchantAndToken(String offerId, String merchantId, byte[] tokenHash) {
        return uuid(offerId).flatMap(id -> em.createQuery("""
                SELECT o, m, t FROM OfferEntity o JOIN MerchantEntity m ON m.merchantId = o.merchantId
                LEFT JOIN RedeemTokenEntity t ON t.tokenHash = :token
                WHERE o.offerId = :offer AND o.merchantId = :merchant""", Object[].class)
                .setParameter("offer", id).setParameter("merchant", merchantId).setParameter("token", tokenHash)
                .getResultStream().findFirst()
                .map(row -> new Presented((OfferEntity) row[0], (MerchantEntity) row[1], (RedeemTokenEntity) row[2])));
    }

    /** A record id as a UUID; empty when it is not one (no such record can exist). */
    public static Optional<UUID> uuid(String value) {
        try {
            return Optional.of(UUID.fromString(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
