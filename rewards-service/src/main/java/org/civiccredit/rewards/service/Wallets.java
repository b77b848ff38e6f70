package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.kit.audit.Outcome;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.persistence.BatchScope;
import org.civiccredit.rewards.config.RewardsConfig;
import org.civiccredit.rewards.domain.AccountKind;
import org.civiccredit.rewards.domain.Allocation;
import org.civiccredit.rewards.domain.AwardLot;
import org.civiccredit.rewards.domain.Erasure;
import org.civiccredit.rewards.domain.LotState;
import org.civiccredit.rewards.domain.ParticipantExport;
import org.civiccredit.rewards.domain.RedemptionState;
import org.civiccredit.rewards.domain.Reversal;
import org.civiccredit.rewards.domain.ReversedAward;
import org.civiccredit.rewards.domain.WalletView;
import org.civiccredit.rewards.persistence.AwardLotEntity;
import org.civiccredit.rewards.persistence.LedgerRepository;
import org.civiccredit.rewards.persistence.ParticipantEntity;
import org.civiccredit.rewards.persistence.RedemptionEntity;
import org.civiccredit.rewards.persistence.ReversalEntity;
import org.civiccredit.rewards.persistence.WalletStore;

/**
 * Participants' wallets: awards and what contests decide about them (freeze, release, reversal), catching up
 * with time (holds past their TTL, lots reaching availability or expiry), the wallet view, erasure and export.
 * Every change locks the participant's row first, so a wallet changes one transaction at a time on any number
 * of instances.
 */
@ApplicationScoped
public class Wallets {

    @Inject
    IdempotentCalls idempotentCalls;

    @Inject
    RewardsConfig config;

    @Inject
    WalletStore store;

    @Inject
    LedgerRepository ledger;

    @Inject
    HoldSettlement settlement;

    @Inject
    Participants participants;

    @Inject
    CatchUpAudit catchUpAudit;

    @Inject
    AuditLog audit;

    @Inject
    EntityManager em;

    @Inject
    BatchScope batch;

    static Instant micros(Instant now) {
        return now.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Loads what a change to a locked participant's wallet needs, brought up to {@code now}: holds past their TTL
     * expire (their points come back) and lots become available or expire, each change audited. Only the lots
     * the change can touch are loaded ({@link WalletStore#loadFor}): those due now, those the expiring holds and
     * {@code alsoLots} name, and the oldest available lots that cover {@code spending}, the most points the
     * change may take from them (0 for one that takes none). When expiring holds give stock back to offers, every
     * offer row the transaction will touch ({@code alsoOffers} too) is locked first, in one order, so that no two
     * transactions wait for each other's offers. Nothing else is saved until {@link WalletStore#save}.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public WalletStore.Loaded open(UUID participantId, long spending, Collection<UUID> alsoLots,
            Collection<UUID> alsoOffers, Instant now) {
        return open(participantId, spending, alsoLots, alsoOffers, now, true);
    }

    /**
     * {@link #open(UUID, long, Collection, Collection, Instant)} for a caller that has already read, in a statement
     * made after taking the participant's lock, whether any of their holds is past its TTL at {@code now} (state HELD,
     * {@code hold_expires_at <= now}): when {@code overdueHolds} is false, the holds are not read again. Nothing else
     * changes the participant's holds while the caller holds the lock, so that reading is still true.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public WalletStore.Loaded open(UUID participantId, long spending, Collection<UUID> alsoLots,
            Collection<UUID> alsoOffers, Instant now, boolean overdueHolds) {
        return open(participantId, spending, alsoLots, alsoOffers, now, CatchUpAudit.ON_ACCESS, overdueHolds);
    }

    private WalletStore.Loaded open(UUID participantId, long spending, Collection<UUID> alsoLots,
            Collection<UUID> alsoOffers, Instant now, String actor, boolean overdueHolds) {
        List<RedemptionEntity> overdue = !overdueHolds ? List.of() : RedemptionEntity.list(
                "participantId = ?1 AND state = 'HELD' AND holdExpiresAt <= ?2", participantId, now);
        if (!overdue.isEmpty()) {
            Set<UUID> offers = new TreeSet<>(alsoOffers);
            overdue.forEach(r -> offers.add(r.offerId));
            em.createNativeQuery("SELECT offer_id FROM offer WHERE offer_id IN (?1) ORDER BY offer_id FOR UPDATE")
                    .setParameter(1, offers).getResultList();
        }
        List<UUID> lots = new ArrayList<>(alsoLots);
        Map<UUID, List<Allocation>> allocations = takeAllocations(overdue, lots);
        WalletStore.Loaded loaded = store.loadFor(participantId, spending, lots, now);
        catchUpLoaded(loaded, overdue, allocations, now, actor);
        return loaded;
    }

    /**
     * Takes the allocations of holds about to settle ({@link WalletStore#takeAllocations}), by redemption id, and adds
     * the lots they name to {@code lots} (the wallet must load them).
     */
    private Map<UUID, List<Allocation>> takeAllocations(List<RedemptionEntity> holds, List<UUID> lots) {
        Map<UUID, List<Allocation>> allocations = new HashMap<>();
        for (RedemptionEntity r : holds) {
            List<Allocation> a = store.takeAllocations(r.redemptionId);
            allocations.put(r.redemptionId, a);
            a.forEach(x -> lots.add(x.lotId()));
        }
        return allocations;
    }

    /** Brings a loaded wallet up to {@code now}: its {@code overdue} holds expire, then its due lots change. */
    private void catchUpLoaded(WalletStore.Loaded loaded, List<RedemptionEntity> overdue,
            Map<UUID, List<Allocation>> allocations, Instant now, String actor) {
        Map<UUID, LotState> before = CatchUpAudit.states(loaded.wallet());
        for (RedemptionEntity r : overdue) {
            settlement.settle(loaded.wallet(), r, allocations.get(r.redemptionId), 0, RedemptionState.EXPIRED,
                    r.holdExpiresAt, now);
        }
        loaded.wallet().catchUp(now);
        catchUpAudit.record(actor, overdue, before, loaded.wallet());
    }

    /**
     * Awards points for a report; a redelivery returns the lot recorded the first time, unchanged. An award only
     * adds a pending lot and its posting, so it loads none of the wallet's other lots and its cost does not grow
     * with them; lots that fall due meanwhile are brought up to date by the next change or read that opens the
     * wallet, or by the sweep ({@link WalletSweeps}).
     */
    @Transactional
    public Outcome<AwardLot> award(String reportId, String participantId, long points, String ruleCode,
            long ruleTableVersion, Instant at) {
        Instant now = micros(at);
        UUID id = Participants.participantId(participantId);
        participants.lockRegistered(id);
        Optional<AwardLotEntity> existing = store.awardedLotFor(reportId);
        if (existing.isPresent()) {
            AwardLotEntity lot = existing.get();
            if (!lot.participantId.equals(id) || lot.amount != points || !lot.ruleCode.equals(ruleCode)
                    || lot.ruleTableVersion != ruleTableVersion) {
                throw Refusal.alreadyExists("report " + reportId + " was already awarded with other data");
            }
            return Outcome.unchanged(lot.toDomain());
        }
        WalletStore.Loaded loaded = store.empty(id);
        AwardLot lot = loaded.wallet().award(UUID.randomUUID(), reportId, points, ruleCode, ruleTableVersion, now,
                config.contestWindow(), config.lotLifetime());
        store.save(loaded, now);
        return Outcome.changed(lot);
    }

    /**
     * Reads up front what a batch of awards needs ({@link WalletStore#loadForAwards}): their participants, locked,
     * and the lots already awarded for their reports. Outside a batch it does nothing.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void loadForAwards(Collection<UUID> participantIds, Collection<String> reportIds) {
        store.loadForAwards(participantIds, reportIds);
    }

    /** Keeps a contested report's lot pending; a frozen, available or closed lot is returned unchanged. */
    @Transactional
    public Outcome<AwardLot> freeze(String reportId, Instant at) {
        Instant now = micros(at);
        AwardLotEntity row = lockedLotOf(reportId);
        WalletStore.Loaded loaded = open(row.participantId, 0, List.of(row.lotId), List.of(), now);
        boolean frozen = loaded.wallet().freeze(row.lotId);
        store.save(loaded, now);
        return new Outcome<>(loaded.wallet().lot(row.lotId).orElseThrow(), frozen);
    }

    /**
     * Lifts a freeze after an upheld contest; the lot becomes available now if its window has passed. A lot that
     * is not frozen is returned unchanged.
     */
    @Transactional
    public Outcome<AwardLot> release(String reportId, Instant at) {
        Instant now = micros(at);
        AwardLotEntity row = lockedLotOf(reportId);
        WalletStore.Loaded loaded = open(row.participantId, 0, List.of(row.lotId), List.of(), now);
        boolean released = loaded.wallet().unfreeze(row.lotId, now);
        store.save(loaded, now);
        return new Outcome<>(loaded.wallet().lot(row.lotId).orElseThrow(), released);
    }

    /** Claws back a report's award exactly once; a repeated call returns the reversal as first recorded. */
    @Transactional
    public Outcome<ReversedAward> reverse(String reportId, String reason, Instant at) {
        Instant now = micros(at);
        AwardLotEntity row = lockedLotOf(reportId);
        ReversalEntity done = ReversalEntity.findById(reportId);
        if (done != null) {
            return Outcome.unchanged(new ReversedAward(row.toDomain(), new Reversal(done.clawedBack, done.shortfall)));
        }
        // It claws back the lot's remainder, then what was spent from it out of the oldest other available lots.
        WalletStore.Loaded loaded = open(row.participantId, row.remaining + row.spent, List.of(row.lotId),
                List.of(), now);
        Reversal reversal = loaded.wallet().reverse(row.lotId, store.heldFromLot(row.lotId), now);
        store.save(loaded, now);
        ReversalEntity r = new ReversalEntity();
        r.reportId = reportId;
        r.lotId = row.lotId;
        r.reason = reason;
        r.clawedBack = reversal.clawedBack();
        r.shortfall = reversal.shortfall();
        r.reversedAt = now;
        r.persist();
        return Outcome.changed(new ReversedAward(loaded.wallet().lot(row.lotId).orElseThrow(), reversal));
    }

    private AwardLotEntity lockedLotOf(String reportId) {
        AwardLotEntity row = store.lotForReport(reportId).orElse(null);
        if (row == null) {
            if (store.erasedReport(reportId)) {
                throw Refusal.failedPrecondition("PARTICIPANT_ERASED", "the participant awarded for report "
                        + reportId + " was erased");
            }
            throw Refusal.notFound("no award for report " + reportId);
        }
        participants.lockRegistered(row.participantId);
        // Read before the wallet's lock: another transaction may have changed the lot while this one waited.
        em.refresh(row);
        return row;
    }

    /** Brings one wallet up to {@code now} (waits for its lock). */
    @Transactional
    public void catchUp(UUID participantId, Instant at) {
        Instant now = micros(at);
        if (store.lock(participantId) == null) {
            return;
        }
        store.save(open(participantId, 0, List.of(), List.of(), now), now);
    }

    /**
     * Brings one wallet up to {@code now} in its own transaction unless another transaction holds it (that one
     * catches up itself, or a later sweep does). Returns whether it ran.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean catchUpUnlessBusy(UUID participantId, Instant at) {
        Instant now = micros(at);
        if (!store.tryLock(participantId)) {
            return false;
        }
        store.save(open(participantId, 0, List.of(), List.of(), now, CatchUpAudit.SWEEP, true), now);
        return true;
    }

    /**
     * What {@link #catchUpTogether} did: how many wallets it caught up, and the locked ones it {@code left} to be
     * caught up one by one ({@link #catchUpUnlessBusy(UUID, Instant)}) because they hold overdue redemptions.
     */
    public record Together(int caughtUp, List<UUID> left) {
    }

    /**
     * Brings the wallets of {@code participantIds} up to {@code now} in one transaction, as {@link
     * #catchUpUnlessBusy(UUID, Instant)} does each in its own: the wallets no other transaction holds are locked in
     * one statement (in id order, skipping busy ones, so it never waits), the due lots of all of them are read in
     * one, and their ledger postings and audit entries are written together, one statement each ({@link
     * BatchScope}), their lot updates in one JDBC batch. A wallet holding a redemption past its TTL is not caught up
     * here but returned in {@link Together#left}: expiring a hold locks its offer's row, and this transaction
     * holds many wallets. The sweep keeps the batch short, since a call that needs one of these wallets waits for
     * the whole transaction.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Together catchUpTogether(Collection<UUID> participantIds, Instant at) {
        Instant now = micros(at);
        batch.begin();
        List<UUID> locked = store.tryLockAll(participantIds);
        Set<UUID> holding = locked.isEmpty() ? Set.of() : store.withOverdueHolds(locked, now);
        List<UUID> ready = locked.stream().filter(id -> !holding.contains(id)).toList();
        if (!ready.isEmpty()) {
            for (WalletStore.Loaded wallet : store.loadDue(ready, now)) {
                catchUpLoaded(wallet, List.of(), Map.of(), now, CatchUpAudit.SWEEP);
                store.save(wallet, now);
            }
        }
        batch.finish();
        return new Together(ready.size(), locked.stream().filter(holding::contains).toList());
    }

    /** Participants with a hold past its TTL, or a lot due to become available or to expire, at {@code now}. */
    @Transactional
    public List<UUID> dueForCatchUp(Instant now, int limit) {
        @SuppressWarnings("unchecked")
        List<Object> rows = em.createNativeQuery("""
                SELECT participant_id FROM redemption WHERE state = 'HELD' AND hold_expires_at <= ?1
                UNION
                SELECT participant_id FROM award_lot WHERE state IN ('PENDING', 'AVAILABLE') AND expires_at <= ?1
                UNION
                SELECT participant_id FROM award_lot WHERE state = 'PENDING' AND NOT frozen AND available_from <= ?1
                LIMIT ?2""").setParameter(1, now).setParameter(2, limit).getResultList();
        return rows.stream().map(o -> o instanceof UUID u ? u : UUID.fromString(o.toString())).toList();
    }

    /** Deletes redeem tokens that expired before {@code before} (audited when there were any); returns how many. */
    @Transactional
    public int purgeTokens(Instant before) {
        int purged = em.createNativeQuery("DELETE FROM redeem_token WHERE expires_at < ?1").setParameter(1, before)
                .executeUpdate();
        if (purged > 0) {
            audit.record("sweep:redeem-tokens-purged", CatchUpAudit.SWEEP, "");
        }
        return purged;
    }

    private boolean due(UUID participantId, Instant now) {
        return !em.createNativeQuery("""
                SELECT 1 FROM redemption WHERE participant_id = ?1 AND state = 'HELD' AND hold_expires_at <= ?2
                UNION ALL
                SELECT 1 FROM award_lot WHERE participant_id = ?1 AND state IN ('PENDING', 'AVAILABLE')
                    AND (expires_at <= ?2 OR (state = 'PENDING' AND NOT frozen AND available_from <= ?2))
                LIMIT 1""").setParameter(1, participantId).setParameter(2, now).getResultList().isEmpty();
    }

    /**
     * The participant's wallet at {@code now} (caught up first when something fell due): balances derived from
     * the ledger, lots oldest first, the {@code recentMovements} most recent movements newest first.
     */
    @Transactional
    public WalletView view(UUID participantId, boolean includeClosedLots, int recentMovements, Instant at) {
        Instant now = micros(at);
        if (due(participantId, now)) {
            catchUp(participantId, now);
        }
        return view(participantId, includeClosedLots, recentMovements, true, now);
    }

    private WalletView view(UUID participantId, boolean includeClosedLots, int movements, boolean newestFirst,
            Instant now) {
        Map<AccountKind, Long> balances = ledger.participantBalances(participantId);
        List<AwardLot> lots = AwardLotEntity.<AwardLotEntity>list(includeClosedLots
                ? "participantId = ?1 ORDER BY awardedAt, lotId"
                : "participantId = ?1 AND state IN ('PENDING', 'AVAILABLE') ORDER BY awardedAt, lotId", participantId)
                .stream().map(AwardLotEntity::toDomain).toList();
        return new WalletView(participantId, balances.get(AccountKind.PARTICIPANT_AVAILABLE),
                balances.get(AccountKind.PARTICIPANT_PENDING), balances.get(AccountKind.PARTICIPANT_HELD), lots,
                movements <= 0 ? List.of() : ledger.movements(participantId, movements, newestFirst), now);
    }

    /**
     * Erases a withdrawn participant: voids open holds, forfeits the remaining balance (pending and frozen
     * awards included) to the programme's expired account, deletes lots, tokens and the stored answers of their
     * own calls (which hold tokens and name offers), unlinks redemptions and anonymises the ledger history. An
     * unknown id succeeds with zero counts and is remembered as erased; an erased one is returned unchanged.
     */
    @Transactional
    public Outcome<Erasure> erase(String participantId, Instant at) {
        Instant now = micros(at);
        UUID id = Participants.participantId(participantId);
        ParticipantEntity p = store.lock(id);
        if (p == null || p.erasedAt != null) {
            return new Outcome<>(new Erasure(0, 0), participants.erase(participantId));
        }
        List<RedemptionEntity> open = RedemptionEntity.list("participantId = ?1 AND state = 'HELD' ORDER BY offerId",
                id);
        List<UUID> lots = new ArrayList<>();
        Map<UUID, List<Allocation>> allocations = takeAllocations(open, lots);
        WalletStore.Loaded loaded = store.load(id, lots);
        int voided = 0;
        for (RedemptionEntity r : open) {
            settlement.settle(loaded.wallet(), r, allocations.get(r.redemptionId), 0, RedemptionState.VOIDED, now,
                    now);
            voided++;
        }
        long forfeited = loaded.wallet().forfeit();
        store.save(loaded, now);
        em.flush();
        em.createNativeQuery("UPDATE reversal SET reason = '' WHERE lot_id IN "
                + "(SELECT lot_id FROM award_lot WHERE participant_id = ?1)").setParameter(1, id).executeUpdate();
        em.createNativeQuery("INSERT INTO erased_report (report_id) SELECT report_id FROM award_lot "
                + "WHERE participant_id = ?1 ON CONFLICT DO NOTHING").setParameter(1, id).executeUpdate();
        em.createNativeQuery("DELETE FROM award_lot WHERE participant_id = ?1").setParameter(1, id).executeUpdate();
        em.createNativeQuery("DELETE FROM redeem_token WHERE participant_id = ?1").setParameter(1, id).executeUpdate();
        // Stored answers of calls by or about the participant may hold their data (raw tokens, lots).
        if (p.subject != null) {
            idempotentCalls.forgetCaller(p.subject);
        }
        idempotentCalls.forgetParticipant(participantId);
        em.createNativeQuery("UPDATE redemption SET participant_id = NULL WHERE participant_id = ?1")
                .setParameter(1, id).executeUpdate();
        ledger.anonymise(id);
        em.clear();
        participants.erase(participantId);
        return Outcome.changed(new Erasure(forfeited, voided));
    }

    /**
     * Everything held about a participant, as it stands at {@code at} (caught up first, like the wallet view);
     * empty for an unknown or erased participant.
     */
    @Transactional
    public Optional<ParticipantExport> export(String participantId, Instant at) {
        Instant now = micros(at);
        UUID id = Participants.participantId(participantId);
        ParticipantEntity p = ParticipantEntity.findById(id);
        if (p == null || p.erasedAt != null) {
            return Optional.empty();
        }
        if (due(id, now)) {
            catchUp(id, now);
        }
        WalletView wallet = view(id, true, 0, true, now);
        List<org.civiccredit.rewards.domain.Redemption> redemptions = RedemptionEntity.<RedemptionEntity>list(
                "participantId = ?1 ORDER BY reservedAt, redemptionId", id).stream()
                .map(RedemptionEntity::toDomain).toList();
        return Optional.of(new ParticipantExport(wallet, ledger.movements(id, 0, false), redemptions,
                store.openTokenExpiries(id, now), p.subject, p.registeredAt));
    }
}
