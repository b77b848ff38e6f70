package org.civiccredit.rewards.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.civiccredit.rewards.domain.Allocation;
import org.civiccredit.rewards.domain.AwardLot;
import org.civiccredit.rewards.domain.LotState;
import org.civiccredit.rewards.domain.ParticipantWallet;

/**
 * Loads the parts of a participant's wallet a change needs, under the participant's row lock, and saves what the
 * domain changed: lot rows and the ledger postings, in the same transaction. No change loads every open lot of a
 * wallet (a wallet may hold thousands): catching up with time is one set-based statement ({@link #catchUp}), an
 * award loads no lot, a hold or a reversal loads available lots oldest first only until the points it needs are
 * covered ({@link #loadOldestAvailable}), a settlement loads the lots its hold's allocations name
 * ({@link #loadLots}). Only erasure, which forfeits everything, loads every open lot ({@link #loadOpen}).
 */
@ApplicationScoped
public class WalletStore {

    /** Available lots read per statement while a hold looks for the oldest lots covering its cost. */
    public static final int AVAILABLE_BATCH = 16;

    /**
     * A wallet holding the lots loaded (or created) so far, and the rows they came from. A transaction loads
     * lots only after {@link #catchUp}, so no row in it predates the statement that brought its lots up to now.
     */
    public record Loaded(ParticipantWallet wallet, Map<UUID, AwardLotEntity> rows) {
    }

    /** A lot the catch-up statement changed: it expired, or (not {@code expired}) its contest window passed. */
    public record CaughtUpLot(UUID lotId, String reportId, boolean expired) {
    }

    /** What {@link #catchUp} changed, and the participant's holds past their TTL (still held). */
    public record CaughtUp(List<CaughtUpLot> lots, List<UUID> overdueHolds) {
    }

    /** A report's lot and its participant. */
    public record LotOwner(UUID lotId, UUID participantId) {
    }

    @Inject
    EntityManager em;

    @Inject
    LedgerRepository ledger;

    /** Locks the participant's row (waits for other transactions on the same wallet); null if unknown. */
    public ParticipantEntity lock(UUID participantId) {
        return em.find(ParticipantEntity.class, participantId, LockModeType.PESSIMISTIC_WRITE);
    }

    /** Locks the participant's row unless another transaction holds it; false when it is busy or unknown. */
    public boolean tryLock(UUID participantId) {
        return !em.createNativeQuery("SELECT participant_id FROM participant WHERE participant_id = ?1 "
                + "FOR UPDATE SKIP LOCKED").setParameter(1, participantId).getResultList().isEmpty();
    }

    /**
     * Brings the participant's open lots up to {@code now} in one statement, with their postings, exactly as
     * {@link ParticipantWallet#catchUp} would: a lot past its expiry expires (its remainder moves from pending or
     * available to the programme's expired account), else a pending, unfrozen lot past its contest window becomes
     * available (or spent, with nothing left). The same statement finds the participant's holds past their TTL,
     * which the caller settles. Call it under the participant's lock, before loading any lot of the wallet.
     */
    public CaughtUp catchUp(UUID participantId, Instant now) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                WITH due AS MATERIALIZED (
                    SELECT lot_id, state AS was, remaining AS points, true AS expiring FROM award_lot
                    WHERE participant_id = ?1 AND state IN ('PENDING', 'AVAILABLE') AND expires_at <= ?2
                    UNION ALL
                    SELECT lot_id, state, remaining, false FROM award_lot
                    WHERE participant_id = ?1 AND state = 'PENDING' AND NOT frozen AND available_from <= ?2
                        AND expires_at > ?2),
                changed AS (
                    UPDATE award_lot l
                    SET state = CASE WHEN d.expiring THEN 'EXPIRED' WHEN d.points > 0 THEN 'AVAILABLE' ELSE 'SPENT' END,
                        expired = l.expired + CASE WHEN d.expiring THEN d.points ELSE 0 END,
                        remaining = CASE WHEN d.expiring THEN 0 ELSE d.points END
                    FROM due d WHERE l.lot_id = d.lot_id
                    RETURNING l.lot_id, l.report_id, l.awarded_at, d.was, d.points, d.expiring),
                moved AS MATERIALIZED (
                    SELECT gen_random_uuid() AS movement_id, lot_id, awarded_at, points, expiring,
                           CASE WHEN was = 'PENDING' THEN 'PARTICIPANT_PENDING' ELSE 'PARTICIPANT_AVAILABLE' END
                               AS from_kind,
                           CASE WHEN expiring THEN 'PROGRAM_EXPIRED' ELSE 'PARTICIPANT_AVAILABLE' END AS to_kind,
                           CASE WHEN expiring THEN '' ELSE ?3 END AS to_owner
                    FROM changed WHERE points > 0),
                movement AS (
                    INSERT INTO ledger_movement (movement_id, reason, amount, from_kind, to_kind, reference,
                                                 participant_id, occurred_at)
                    SELECT movement_id, CASE WHEN expiring THEN 'EXPIRY' ELSE 'AWARD_AVAILABLE' END, points,
                           from_kind, to_kind, lot_id::text, ?1, ?2
                    FROM moved ORDER BY awarded_at, lot_id),
                entry AS (
                    INSERT INTO ledger_entry (movement_id, line, account_kind, owner_id, amount)
                    SELECT movement_id, 1, from_kind, ?3, -points FROM moved
                    UNION ALL
                    SELECT movement_id, 2, to_kind, to_owner, points FROM moved)
                SELECT 'LOT' AS kind, lot_id AS id, report_id, expiring, awarded_at AS at FROM changed
                UNION ALL
                SELECT 'HOLD', redemption_id, NULL, NULL, hold_expires_at FROM redemption
                WHERE participant_id = ?1 AND state = 'HELD' AND hold_expires_at <= ?2
                ORDER BY 1 DESC, 5, 2""")
                .setParameter(1, participantId).setParameter(2, now).setParameter(3, participantId.toString())
                .getResultList();
        List<CaughtUpLot> lots = new ArrayList<>();
        List<UUID> holds = new ArrayList<>();
        for (Object[] r : rows) {
            if ("LOT".equals(r[0])) {
                lots.add(new CaughtUpLot(Rows.toUuid(r[1]), (String) r[2], (Boolean) r[3]));
            } else {
                holds.add(Rows.toUuid(r[1]));
            }
        }
        return new CaughtUp(List.copyOf(lots), List.copyOf(holds));
    }

    /** A wallet with no lot loaded yet; the caller holds the participant's lock. */
    public Loaded empty(UUID participantId) {
        return new Loaded(new ParticipantWallet(participantId, List.of()), new HashMap<>());
    }

    /** Adds the named lots to the wallet, reading only those it does not hold yet. */
    public void loadLots(Loaded loaded, Collection<UUID> lotIds) {
        List<UUID> missing = lotIds.stream().filter(id -> !loaded.rows().containsKey(id)).distinct().toList();
        if (!missing.isEmpty()) {
            // One by id (a hold names one lot or a few): Hibernate's by-id loader is prepared once, whereas an HQL
            // "IN" query, and even a multi-id load, is parsed or translated again for every list it is given, which
            // cost more CPU than the rest of a capture.
            for (UUID id : missing) {
                AwardLotEntity row = em.find(AwardLotEntity.class, id);
                if (row != null) {
                    include(loaded, row);
                }
            }
        }
    }

    /**
     * Adds available lots to the wallet, oldest first ({@code awarded_at}, then lot id, as the domain orders
     * them), in batches of {@link #AVAILABLE_BATCH}, until their remainders cover {@code points} (not counting
     * lot {@code except}) or none is left. The wallet's own changes are written first, so the rows read agree
     * with it. Afterwards the wallet's available lots begin with every available lot of the participant up to
     * the one that covers {@code points}: a hold taking oldest first takes what it would take from all of them,
     * and {@link ParticipantWallet#available()} is the participant's available balance when it is below
     * {@code points} (at least {@code points} otherwise).
     */
    public void loadOldestAvailable(Loaded loaded, long points, UUID except) {
        if (points <= 0) {
            return;
        }
        if (writeLots(loaded)) {
            em.flush();
        }
        long covered = 0;
        AwardLotEntity last = null;
        while (covered < points) {
            List<AwardLotEntity> batch = last == null
                    ? AwardLotEntity.<AwardLotEntity>find("participantId = ?1 AND state = 'AVAILABLE' "
                            + "ORDER BY awardedAt, lotId", loaded.wallet().participantId())
                            .range(0, AVAILABLE_BATCH - 1).list()
                    : AwardLotEntity.<AwardLotEntity>find("participantId = ?1 AND state = 'AVAILABLE' "
                            + "AND (awardedAt > ?2 OR (awardedAt = ?2 AND lotId > ?3)) ORDER BY awardedAt, lotId",
                            loaded.wallet().participantId(), last.awardedAt, last.lotId)
                            .range(0, AVAILABLE_BATCH - 1).list();
            for (AwardLotEntity row : batch) {
                AwardLot lot = include(loaded, row);
                if (!lot.lotId().equals(except) && lot.state() == LotState.AVAILABLE) {
                    covered += lot.remaining();
                }
            }
            if (batch.size() < AVAILABLE_BATCH) {
                break;
            }
            last = batch.get(batch.size() - 1);
        }
    }

    /**
     * Loads every open lot of the wallet and the lots {@code alsoLots} names (erasure, which forfeits them all);
     * the caller holds the participant's lock.
     */
    public Loaded loadOpen(UUID participantId, Collection<UUID> alsoLots) {
        Loaded loaded = empty(participantId);
        AwardLotEntity.<AwardLotEntity>list("participantId = ?1 AND state IN ('PENDING', 'AVAILABLE')",
                participantId).forEach(row -> include(loaded, row));
        loadLots(loaded, alsoLots);
        return loaded;
    }

    private static AwardLot include(Loaded loaded, AwardLotEntity row) {
        AwardLot held = loaded.wallet().lot(row.lotId).orElse(null);
        if (held != null) {
            return held;
        }
        AwardLot lot = row.toDomain();
        loaded.wallet().include(lot);
        loaded.rows().put(row.lotId, row);
        return lot;
    }

    /** Writes back changed and new lots and records the postings made. */
    public void save(Loaded loaded, Instant now) {
        writeLots(loaded);
        ledger.record(loaded.wallet().participantId(), loaded.wallet().postings(), now);
    }

    /** Copies changed lots into their rows (new lots get one); whether any lot had changed. */
    private boolean writeLots(Loaded loaded) {
        ParticipantWallet wallet = loaded.wallet();
        boolean any = false;
        for (AwardLot lot : wallet.lots()) {
            if (!lot.changed()) {
                continue;
            }
            any = true;
            AwardLotEntity row = loaded.rows().get(lot.lotId());
            if (row == null) {
                row = AwardLotEntity.of(wallet.participantId(), lot);
                row.persist();
                loaded.rows().put(lot.lotId(), row);
            } else {
                row.copyFrom(lot);
            }
        }
        return any;
    }

    /** The lots an open hold took its points from. */
    public List<Allocation> allocations(UUID redemptionId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "SELECT lot_id, points FROM hold_allocation WHERE redemption_id = ?1")
                .setParameter(1, redemptionId).getResultList();
        return rows.stream().map(r -> new Allocation(Rows.toUuid(r[0]), Rows.toLong(r[1]))).toList();
    }

    /** Records the lots a new hold took its points from, in one statement. */
    public void addAllocations(UUID redemptionId, List<Allocation> allocations) {
        if (allocations.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("INSERT INTO hold_allocation (redemption_id, lot_id, points) VALUES ");
        for (int i = 0; i < allocations.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?1, ?").append(2 * i + 2).append(", ?").append(2 * i + 3)
                    .append(')');
        }
        var insert = em.createNativeQuery(sql.toString()).setParameter(1, redemptionId);
        for (int i = 0; i < allocations.size(); i++) {
            insert.setParameter(2 * i + 2, allocations.get(i).lotId()).setParameter(2 * i + 3,
                    allocations.get(i).points());
        }
        insert.executeUpdate();
    }

    public void removeAllocations(UUID redemptionId) {
        em.createNativeQuery("DELETE FROM hold_allocation WHERE redemption_id = ?1").setParameter(1, redemptionId)
                .executeUpdate();
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
        return rows.stream().map(Rows::toInstant).toList();
    }

    /** The lot awarded for a report. */
    public Optional<AwardLotEntity> lotForReport(String reportId) {
        return AwardLotEntity.find("reportId", reportId).firstResultOptional();
    }

    /**
     * The lot awarded for a report and its participant, read without loading the lot (it is loaded once the
     * participant is locked and the wallet caught up).
     */
    public Optional<LotOwner> lotOwner(String reportId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT lot_id, participant_id FROM award_lot WHERE report_id = ?1")
                .setParameter(1, reportId).getResultList();
        return rows.stream().findFirst().map(r -> new LotOwner(Rows.toUuid(r[0]), Rows.toUuid(r[1])));
    }
}
