package org.civiccredit.rewards.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.civiccredit.kit.persistence.BatchScope;
import org.civiccredit.kit.persistence.NativeReads;
import org.civiccredit.rewards.domain.Allocation;
import org.civiccredit.rewards.domain.AwardLot;
import org.civiccredit.rewards.domain.ParticipantWallet;
import org.hibernate.LockMode;

/**
 * Loads a participant's wallet (their open lots, plus lots named by holds being settled) under the participant's
 * row lock, and saves what the domain changed: lot rows and the ledger postings, in the same transaction.
 */
@ApplicationScoped
public class WalletStore {

    /** Available lots a first reading considers to cover an amount (enough for all but the largest costs). */
    private static final int COVERING_FIRST = 64;

    /** A wallet and the rows it was loaded from. */
    public record Loaded(ParticipantWallet wallet, Map<UUID, AwardLotEntity> rows) {
    }

    @Inject
    EntityManager em;

    @Inject
    LedgerRepository ledger;

    @Inject
    BatchScope batch;

    /** The lots a batch of awards looked up by report ({@link #loadForAwards}), and those it created. */
    private static final class Awarded extends BatchScope.Found<AwardLotEntity> {
    }

    /**
     * In a batch of awards ({@link BatchScope}): locks the participants, in id order, in one statement (they stay in
     * the session, locked, so each award's own lock makes no statement), and loads the lots already awarded for the
     * reports in another ({@link #awardedLotFor} then reads none). Outside a batch it does nothing.
     */
    public void loadForAwards(Collection<UUID> participantIds, Collection<String> reportIds) {
        Awarded awarded = batch.value(Awarded.class, Awarded::new);
        if (awarded == null || participantIds.isEmpty()) {
            return;
        }
        NativeReads.entities(em, ParticipantEntity.class, "p", LockMode.PESSIMISTIC_WRITE, """
                        SELECT p.* FROM participant p WHERE p.participant_id = ANY(?1)
                        ORDER BY p.participant_id FOR NO KEY UPDATE""")
                .setParameter(1, participantIds.stream().distinct().toArray(UUID[]::new)).getResultList();
        List<String> reports = reportIds.stream().distinct().toList();
        Map<String, AwardLotEntity> lots = new HashMap<>();
        NativeReads.entities(em, AwardLotEntity.class, "l", LockMode.NONE,
                        "SELECT l.* FROM award_lot l WHERE l.report_id = ANY(cast(?1 AS varchar[]))")
                .setParameter(1, reports.toArray(String[]::new)).setFlushMode(FlushModeType.COMMIT).getResultList()
                .forEach(l -> lots.put(l.reportId, l));
        awarded.lookedUp(reports, lots);
    }

    /** The lot awarded for a report: from the batch, if it loaded it, or else read without a flush. */
    public Optional<AwardLotEntity> awardedLotFor(String reportId) {
        Awarded awarded = batch.value(Awarded.class, Awarded::new);
        return awarded == null ? lotForReportUnflushed(reportId) : awarded.get(reportId, this::lotForReportUnflushed);
    }

    /** Locks the participant's row (waits for other transactions on the same wallet); null if unknown. */
    public ParticipantEntity lock(UUID participantId) {
        return em.find(ParticipantEntity.class, participantId, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Locks the row of the participant that a merchant's redemption belongs to, finding and locking it in one
     * statement; false, with nothing locked, when there is no such redemption of that merchant or its participant
     * was erased. Every change to a redemption holds this lock, so a read of the redemption after it sees the last
     * change.
     */
    public boolean lockHolderOf(UUID redemptionId, String merchantId) {
        return !em.createNativeQuery("SELECT participant_id FROM participant WHERE participant_id = ("
                + "SELECT participant_id FROM redemption WHERE redemption_id = ?1 AND merchant_id = ?2) "
                + "FOR NO KEY UPDATE").setParameter(1, redemptionId).setParameter(2, merchantId).getResultList()
                .isEmpty();
    }

    /** Locks the participant's row unless another transaction holds it; false when it is busy or unknown. */
    public boolean tryLock(UUID participantId) {
        return !tryLockAll(List.of(participantId)).isEmpty();
    }

    /**
     * Locks the rows of those of {@code participantIds} that no other transaction holds, in id order, in one
     * statement; returns their ids in that order (busy and unknown participants are left out).
     */
    public List<UUID> tryLockAll(Collection<UUID> participantIds) {
        @SuppressWarnings("unchecked")
        List<Object> rows = em.createNativeQuery("SELECT participant_id FROM participant "
                        + "WHERE participant_id = ANY (?1) ORDER BY participant_id FOR UPDATE SKIP LOCKED")
                .setParameter(1, participantIds.toArray(UUID[]::new)).getResultList();
        return rows.stream().map(Rows::toUuid).toList();
    }

    /** Those of {@code participantIds} holding a redemption whose hold is past its TTL at {@code now}. */
    public Set<UUID> withOverdueHolds(Collection<UUID> participantIds, Instant now) {
        @SuppressWarnings("unchecked")
        List<Object> rows = em.createNativeQuery("SELECT DISTINCT participant_id FROM redemption "
                        + "WHERE participant_id = ANY (?1) AND state = 'HELD' AND hold_expires_at <= ?2")
                .setParameter(1, participantIds.toArray(UUID[]::new)).setParameter(2, now).getResultList();
        Set<UUID> ids = new HashSet<>();
        rows.forEach(r -> ids.add(Rows.toUuid(r)));
        return ids;
    }

    /**
     * The wallets of {@code participantIds} as {@link #loadFor} loads them for a change that spends nothing (the
     * lots due at {@code now}, to become available or to expire), read for all of them in one statement; one per
     * participant, in the order given. The caller holds their locks.
     */
    public List<Loaded> loadDue(List<UUID> participantIds, Instant now) {
        Map<UUID, Map<UUID, AwardLotEntity>> byParticipant = new LinkedHashMap<>();
        participantIds.forEach(id -> byParticipant.put(id, new LinkedHashMap<>()));
        @SuppressWarnings("unchecked")
        List<AwardLotEntity> rows = em.createNativeQuery("""
                SELECT * FROM award_lot WHERE participant_id = ANY (?1) AND state IN ('PENDING', 'AVAILABLE')
                    AND (expires_at <= ?2 OR (state = 'PENDING' AND NOT frozen AND available_from <= ?2))
                ORDER BY participant_id, awarded_at, lot_id""", AwardLotEntity.class)
                .setParameter(1, participantIds.toArray(UUID[]::new)).setParameter(2, now).getResultList();
        rows.forEach(r -> byParticipant.get(r.participantId).put(r.lotId, r));
        List<Loaded> wallets = new ArrayList<>(participantIds.size());
        byParticipant.forEach((id, lots) -> wallets.add(loaded(id, lots)));
        return wallets;
    }

    /** Loads the whole wallet (every open lot, and {@code alsoLots}); the caller holds the participant's lock. */
    public Loaded load(UUID participantId, Collection<UUID> alsoLots) {
        Map<UUID, AwardLotEntity> byId = new LinkedHashMap<>();
        AwardLotEntity.<AwardLotEntity>list("participantId = ?1 AND state IN ('PENDING', 'AVAILABLE')", participantId)
                .forEach(r -> byId.put(r.lotId, r));
        List<UUID> missing = alsoLots.stream().filter(id -> !byId.containsKey(id)).distinct().toList();
        if (!missing.isEmpty()) {
            NativeReads.entities(em, AwardLotEntity.class, "l", LockMode.NONE,
                            "SELECT l.* FROM award_lot l WHERE l.lot_id = ANY(?1)")
                    .setParameter(1, missing.toArray(UUID[]::new)).getResultList().forEach(r -> byId.put(r.lotId, r));
        }
        return loaded(participantId, byId);
    }

    /**
     * Loads what a change that takes at most {@code spending} points from the available lots needs, and no more:
     * the lots due at {@code now} (to become available or to expire, so that catching up is complete), the oldest
     * available lots whose remainders cover {@code spending} (all of them when they do not), and {@code alsoLots}.
     * Any other open lot is pending and not due, or available and newer than lots that already cover the amount,
     * so spending oldest first never reaches it, and the loaded wallet's available points reach {@code spending}
     * exactly when the whole wallet's do. Its cost grows with the lots used, not with the wallet's history. The
     * caller holds the participant's lock.
     */
    public Loaded loadFor(UUID participantId, long spending, Collection<UUID> alsoLots, Instant now) {
        List<AwardLotEntity> rows = lotsFor(participantId, spending, alsoLots, now, COVERING_FIRST);
        long covered = 0;
        int covering = 0;
        for (AwardLotEntity r : rows) {
            if (r.state.equals("AVAILABLE") && r.expiresAt.isAfter(now) && r.remaining > 0) {
                covered += r.remaining;
                covering++;
            }
        }
        if (covered < spending && covering >= COVERING_FIRST) {
            // More lots than the first reading held are needed to cover the amount, or to learn it is not covered.
            rows = lotsFor(participantId, spending, alsoLots, now, Integer.MAX_VALUE);
        }
        Map<UUID, AwardLotEntity> byId = new LinkedHashMap<>();
        rows.forEach(r -> byId.put(r.lotId, r));
        return loaded(participantId, byId);
    }

    /**
     * The statement of {@link #lotsFor}. Its lots are picked by ids gathered into an array ({@code = ANY (ARRAY(…))})
     * rather than by {@code IN (subquery)}, so that its generic plan is as cheap as a custom one: PostgreSQL then plans
     * it once per connection. With {@code IN}, the generic plan guessed ten ids from {@code unnest(?5)} and (on the
     * load test's database) chose a hash join over a scan of every lot; the custom plans, which see the array and
     * {@code ?3 > 0}, were far cheaper, so the statement was planned again on every execution: 0.7–1.0 ms of
     * PostgreSQL's CPU each time, twice per Reserve + Capture (docs/performance.md, twenty-sixth round). A lot named twice is still read once: the array
     * only filters the table's rows.
     */
    static final String LOTS_FOR = """
            SELECT l.* FROM award_lot l WHERE l.lot_id = ANY (ARRAY(
                SELECT c.lot_id FROM (
                    SELECT a.lot_id, a.remaining,
                           sum(a.remaining) OVER (ORDER BY a.awarded_at, a.lot_id) AS upto
                    FROM (SELECT lot_id, remaining, awarded_at FROM award_lot
                          WHERE ?3 > 0 AND participant_id = ?1 AND state = 'AVAILABLE' AND expires_at > ?2
                              AND remaining > 0
                          ORDER BY awarded_at, lot_id LIMIT ?4) a) c
                WHERE c.upto - c.remaining < ?3
                UNION ALL
                SELECT lot_id FROM award_lot WHERE participant_id = ?1 AND state IN ('PENDING', 'AVAILABLE')
                    AND (expires_at <= ?2 OR (state = 'PENDING' AND NOT frozen AND available_from <= ?2))
                UNION ALL
                SELECT unnest(cast(?5 AS uuid[]))))""";

    /** The lots {@link #loadFor} needs, the oldest available ones chosen among the first {@code limit}. */
    @SuppressWarnings("unchecked")
    private List<AwardLotEntity> lotsFor(UUID participantId, long spending, Collection<UUID> alsoLots, Instant now,
            int limit) {
        return em.createNativeQuery(LOTS_FOR, AwardLotEntity.class)
                .setParameter(1, participantId).setParameter(2, now).setParameter(3, spending)
                .setParameter(4, limit).setParameter(5, alsoLots.toArray(UUID[]::new)).getResultList();
    }

    private static Loaded loaded(UUID participantId, Map<UUID, AwardLotEntity> byId) {
        return new Loaded(new ParticipantWallet(participantId,
                byId.values().stream().map(AwardLotEntity::toDomain).toList()), byId);
    }

    /**
     * A wallet holding none of the participant's lots, for a change that only adds one (an award); the caller holds
     * the participant's lock.
     */
    public Loaded empty(UUID participantId) {
        return new Loaded(new ParticipantWallet(participantId, List.of()), Map.of());
    }

    /** Writes back changed and new lots and records the postings made. */
    public void save(Loaded loaded, Instant now) {
        ParticipantWallet wallet = loaded.wallet();
        for (AwardLot lot : wallet.lots()) {
            if (!lot.changed()) {
                continue;
            }
            AwardLotEntity row = loaded.rows().get(lot.lotId());
            if (row == null) {
                AwardLotEntity created = AwardLotEntity.of(wallet.participantId(), lot);
                created.persist();
                Awarded awarded = batch.value(Awarded.class, Awarded::new);
                if (awarded != null && created.reportId != null) {
                    awarded.created(created.reportId, created);
                }
            } else {
                row.copyFrom(lot);
            }
        }
        ledger.record(wallet.participantId(), wallet.postings(), now);
    }

    /**
     * Takes the allocations of a hold that is about to settle: deletes them and returns the lots it took its points
     * from, in one statement. Every settlement of a hold ({@link org.civiccredit.rewards.service.HoldSettlement})
     * takes them first, under the participant's lock; if the settlement fails, the transaction's rollback restores
     * them.
     */
    public List<Allocation> takeAllocations(UUID redemptionId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "DELETE FROM hold_allocation WHERE redemption_id = ?1 RETURNING lot_id, points")
                .setParameter(1, redemptionId).getResultList();
        return rows.stream().map(r -> new Allocation(Rows.toUuid(r[0]), Rows.toLong(r[1]))).toList();
    }

    /**
     * Inserts a new redemption (a hold) and the lots it took its points from, in one statement; the caller holds the
     * participant's lock. The redemption's offer and merchant are copied from the offer's row, read without a lock:
     * no foreign key locks the offer or merchant that every concurrent reservation names (migration V6), and an
     * offer or merchant row is never deleted, nor its key changed.
     *
     * @throws IllegalStateException when {@code r} names no offer of its merchant (nothing is inserted)
     */
    public void insertHold(RedemptionEntity r, List<Allocation> allocations) {
        int inserted = em.createNativeQuery("""
                WITH r AS (INSERT INTO redemption (redemption_id, merchant_id, offer_id, offer_title, participant_id,
                               points_held, points_captured, points_released, state, reserved_at, hold_expires_at)
                           SELECT ?1, o.merchant_id, o.offer_id, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11
                           FROM offer o WHERE o.offer_id = ?3 AND o.merchant_id = ?2
                           RETURNING redemption_id)
                INSERT INTO hold_allocation (redemption_id, lot_id, points)
                SELECT r.redemption_id, a.lot_id, a.points
                FROM r, unnest(cast(?12 AS uuid[]), cast(?13 AS bigint[])) AS a(lot_id, points)""")
                .setParameter(1, r.redemptionId).setParameter(2, r.merchantId).setParameter(3, r.offerId)
                .setParameter(4, r.offerTitle).setParameter(5, r.participantId).setParameter(6, r.pointsHeld)
                .setParameter(7, r.pointsCaptured).setParameter(8, r.pointsReleased).setParameter(9, r.state)
                .setParameter(10, r.reservedAt).setParameter(11, r.holdExpiresAt)
                .setParameter(12, allocations.stream().map(Allocation::lotId).toArray(UUID[]::new))
                .setParameter(13, allocations.stream().mapToLong(Allocation::points).boxed().toArray(Long[]::new))
                .executeUpdate();
        if (inserted == 0) {
            // A hold always takes points from at least one lot, so no row means no offer of this merchant.
            throw new IllegalStateException("no offer " + r.offerId + " of merchant " + r.merchantId);
        }
    }

    /** Points of a lot that open holds hold now. */
    public long heldFromLot(UUID lotId) {
        return Rows.toLong(em.createNativeQuery("""
                SELECT coalesce(sum(a.points), 0)::bigint FROM hold_allocation a
                JOIN redemption r ON r.redemption_id = a.redemption_id
                WHERE a.lot_id = ?1 AND r.state = 'HELD'""").setParameter(1, lotId).getSingleResult());
    }

    /** Whether a report's lot was deleted with its erased participant. */
    public boolean erasedReport(String reportId) {
        return !em.createNativeQuery("SELECT 1 FROM erased_report WHERE report_id = ?1").setParameter(1, reportId)
                .getResultList().isEmpty();
    }

    /** When the participant's unused, unexpired redeem tokens expire, soonest first. */
    public List<Instant> openTokenExpiries(UUID participantId, Instant now) {
        @SuppressWarnings("unchecked")
        List<Object> rows = em.createNativeQuery("SELECT expires_at FROM redeem_token WHERE participant_id = ?1 "
                + "AND used_at IS NULL AND expires_at > ?2 ORDER BY expires_at")
                .setParameter(1, participantId).setParameter(2, now).getResultList();
        return rows.stream().map(NativeReads::instant).toList();
    }

    /** The lot awarded for a report. */
    public Optional<AwardLotEntity> lotForReport(String reportId) {
        return AwardLotEntity.find("reportId", reportId).firstResultOptional();
    }

    /**
     * The lot awarded for a report, read without flushing the session first. Hibernate would otherwise write every
     * change pending in the session before this query, one statement each: in a batch (ItemBatches), every earlier
     * item's new lot, so that a batch of n awards inserted its lots one by one instead of in one JDBC batch at commit.
     * What the read cannot see is a lot for the same report pending in this transaction, i.e. the same report twice
     * in one batch: the second insert then fails on the unique report id at commit, and ItemBatches applies the batch
     * again item by item, where this read sees the first.
     */
    public Optional<AwardLotEntity> lotForReportUnflushed(String reportId) {
        return em.createQuery("FROM AwardLotEntity l WHERE l.reportId = :report", AwardLotEntity.class)
                .setParameter("report", reportId).setFlushMode(FlushModeType.COMMIT).getResultStream().findFirst();
    }
}
