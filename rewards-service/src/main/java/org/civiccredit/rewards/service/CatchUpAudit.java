package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.rewards.domain.AwardLot;
import org.civiccredit.rewards.domain.LotState;
import org.civiccredit.rewards.domain.ParticipantWallet;
import org.civiccredit.rewards.persistence.RedemptionEntity;

/**
 * Appends to the audit log what catching a wallet up with time changed, one entry per record, in the transaction
 * that changes it: a hold past its TTL expired ({@code catch-up:hold-expired}), a lot's contest window passed
 * ({@code catch-up:lot-available}), a lot expired ({@code catch-up:lot-expired}). Nobody asked for these
 * changes, so the actor is the job that made them: the scheduled sweep, or the catch-up every call makes before
 * it reads or changes a wallet. Entries name the lot (and its report) or the redemption (and its offer), never
 * the participant.
 *
 * <p>A catch-up happens early in its transaction, before the call takes its other locks (an offer's stock, say),
 * so its entries are appended just before the transaction commits: the audit log's append lock is then taken
 * last, as it must be, and never held while the transaction waits for a row.
 */
@ApplicationScoped
public class CatchUpAudit {

    /** Actor of changes made by the scheduled sweep. */
    public static final String SWEEP = "system:wallet-sweep";

    /** Actor of changes made while a call catches a wallet up before using it. */
    public static final String ON_ACCESS = "system:wallet-catch-up";

    /** One change to record. */
    record Entry(String action, String refs) {
    }

    /** Entries waiting for their transaction to commit. */
    record Pending(String actor, List<Entry> entries) {
    }

    @Inject
    AuditLog audit;

    @Inject
    Event<Pending> pending;

    /** The state of each lot of a wallet, taken before the catch-up to compare with after it. */
    static Map<UUID, LotState> states(ParticipantWallet wallet) {
        Map<UUID, LotState> states = new HashMap<>();
        wallet.lots().forEach(l -> states.put(l.lotId(), l.state()));
        return states;
    }

    /**
     * Records, when the transaction commits, the holds that expired and each lot whose state time changed since
     * {@code before}. A lot that a returning hold made available again is part of that hold's entry.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void record(String actor, List<RedemptionEntity> expiredHolds, Map<UUID, LotState> before,
            ParticipantWallet wallet) {
        List<Entry> entries = new ArrayList<>();
        for (RedemptionEntity r : expiredHolds) {
            entries.add(new Entry("catch-up:hold-expired",
                    "redemption_id=" + r.redemptionId + ",offer_id=" + r.offerId));
        }
        for (AwardLot lot : wallet.lots()) {
            LotState was = before.get(lot.lotId());
            if (was == null || was == lot.state()) {
                continue;
            }
            String refs = "lot_id=" + lot.lotId() + ",report_id=" + lot.reportId();
            if (lot.state() == LotState.EXPIRED) {
                entries.add(new Entry("catch-up:lot-expired", refs));
            } else if (was == LotState.PENDING) {
                entries.add(new Entry("catch-up:lot-available", refs));
            }
        }
        if (!entries.isEmpty()) {
            pending.fire(new Pending(actor, entries));
        }
    }

    void append(@Observes(during = TransactionPhase.BEFORE_COMPLETION) Pending changes) {
        for (Entry entry : changes.entries()) {
            audit.record(entry.action(), changes.actor(), entry.refs());
        }
    }
}
