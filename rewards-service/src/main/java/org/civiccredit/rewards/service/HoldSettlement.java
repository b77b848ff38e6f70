package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import org.civiccredit.rewards.domain.Allocation;
import org.civiccredit.rewards.domain.ParticipantWallet;
import org.civiccredit.rewards.domain.RedemptionState;
import org.civiccredit.rewards.persistence.RedemptionEntity;
import org.civiccredit.rewards.persistence.WalletStore;

/** Closes an open hold (capture, void or expiry) in the caller's transaction, under the participant's lock. */
@ApplicationScoped
public class HoldSettlement {

    @Inject
    EntityManager em;

    /**
     * Moves the hold's points ({@code captured} to the merchant, the rest back to the participant), closes the
     * redemption with {@code outcome}, and gives the stock unit back unless it was captured. The wallet holds
     * the lots of {@code allocations}, which the caller took from the hold ({@link WalletStore#takeAllocations}).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void settle(ParticipantWallet wallet, RedemptionEntity redemption, List<Allocation> allocations,
            long captured, RedemptionState outcome, Instant settledAt, Instant now) {
        wallet.settle(allocations, captured, redemption.merchantId, redemption.redemptionId.toString(), now);
        redemption.pointsCaptured = captured;
        redemption.pointsReleased = redemption.pointsHeld - captured;
        redemption.state = outcome.name();
        redemption.settledAt = settledAt;
        if (outcome != RedemptionState.CAPTURED) {
            em.createNativeQuery("UPDATE offer SET stock_remaining = stock_remaining + 1 WHERE offer_id = ?1")
                    .setParameter(1, redemption.offerId).executeUpdate();
        }
    }
}
