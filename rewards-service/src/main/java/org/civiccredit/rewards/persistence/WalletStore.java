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
import org.civiccredit.rewards.domain.ParticipantWallet;

/**
 * Loads a participant's wallet (their open lots, plus lots named by holds being settled) under the participant's
 * row lock, and saves what the domain changed: lot rows and the ledger postings, in the same transaction.
 */
@ApplicationScoped
public class WalletStore {

    /** A wallet and the rows it was loaded from. */
    public record Loaded(ParticipantWallet wallet, Map<UUID, AwardLotEntity> rows) {
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

    /** Loads the wallet; the caller holds the participant's lock. */
    public Loaded load(UUID participantId, Collection<UUID> alsoLots) {
        List<AwardLotEntity> rows = new ArrayList<>(AwardLotEntity.<AwardLotEntity>list(
                "participantId = ?1 AND state IN ('PENDING', 'AVAILABLE')", participantId));
        List<UUID> missing = alsoLots.stream().filter(id -> rows.stream().noneMatch(r -> r.lotId.equals(id)))
                .distinct().toList();
        if (!missing.isEmpty()) {
            rows.addAll(AwardLotEntity.<AwardLotEntity>list("lotId IN ?1", missing));
        }
        Map<UUID, AwardLotEntity> byId = new HashMap<>();
        rows.forEach(r -> byId.put(r.lotId, r));
        return new Loaded(new ParticipantWallet(participantId, rows.stream().map(AwardLotEntity::toDomain).toList()),
                byId);
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
                AwardLotEntity.of(wallet.participantId(), lot).persist();
            } else {
                row.copyFrom(lot);
            }
        }
        ledger.record(wallet.participantId(), wallet.postings(), now);
    }

    /** The lots an open hold took its points from. */
    public List<Allocation> allocations(UUID redemptionId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "SELECT lot_id, points FROM hold_allocation WHERE redemption_id = ?1")
                .setParameter(1, redemptionId).getResultList();
        return rows.stream().map(r -> new Allocation(Rows.toUuid(r[0]), Rows.toLong(r[1]))).toList();
    }

    public void addAllocations(UUID redemptionId, List<Allocation> allocations) {
        for (Allocation a : allocations) {
            em.createNativeQuery("INSERT INTO hold_allocation (redemption_id, lot_id, points) VALUES (?1, ?2, ?3)")
                    .setParameter(1, redemptionId).setParameter(2, a.lotId()).setParameter(3, a.points())
                    .executeUpdate();
        }
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
}
