package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
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
 * Appends to the audit log what catching a wallet up with time changed, one entry per record, in one statement of
 * the transaction that changes it: a hold past its TTL expired ({@code catch-up:hold-expired}), a lot's contest
 * window passed ({@code catch-up:lot-available}), a lot expired ({@code catch-up:lot-expired}). Nobody asked for these
 * changes, so the actor is the job that made them: the scheduled sweep, or the catch-up every call makes before
 * it reads or changes a wallet. Entries name the lot (and its report) or the redemption (and its offer), never
 * the participant.
 */
@ApplicationScoped
public class CatchUpAudit {

    /** Actor of changes made by the scheduled sweep. */
    public static final String SWEEP = "system:wallet-sweep";

    /** Actor of changes made while a call catches a wallet up before using it. */
    public static final String ON_ACCESS = "system:wallet-catch-up";

    @Inject
    AuditLog audit;

    /** The state of each lot of a wallet, taken before the catch-up to compare with after it. */
    static Map<UUID, LotState> states(ParticipantWallet wallet) {
        Map<UUID, LotState> states = new HashMap<>();
        wallet.lots().forEach(l -> states.put(l.lotId(), l.state()));
        return states;
    }

    /**
     * Records the holds that expired and each lot whose state changed since {@code before}. A lot that a returning
     * hold made available again is part of that hold's entry.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void record(String actor, List<RedemptionEntity> expiredHolds, Map<UUID, LotState> before,
            ParticipantWallet wallet) {
        List<AuditLog.Entry> entries = new ArrayList<>();
        for (RedemptionEntity r : expiredHolds) {
            entries.add(new AuditLog.Entry("catch-up:hold-expired", actor,
                    "redemption_id=" + r.redemptionId + ",offer_id=" + r.offerId));
        }
        for (AwardLot lot : wallet.lots()) {
            LotState was = before.get(lot.lotId());
            if (was == null || was == lot.state()) {
                continue;
            }
            String refs = "lot_id=" + lot.lotId() + ",report_id=" + lot.reportId();
            if (lot.state() == LotState.EXPIRED) {
                entries.add(new AuditLog.Entry("catch-up:lot-expired", actor, refs));
            } else if (was == LotState.PENDING) {
                entries.add(new AuditLog.Entry("catch-up:lot-available", actor, refs));
            }
        }
        audit.recordAll(entries);
    }
}
