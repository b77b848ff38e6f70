package org.civiccredit.rewards.service;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.civiccredit.rewards.config.RewardsConfig;
import org.jboss.logging.Logger;

/**
 * Catches wallets up with time on a schedule: holds past their TTL are voided as expired (points back, stock
 * back), pending lots past their contest window become available, lot remainders past their expiry go to the
 * programme's expired account; spent redeem tokens are deleted. Wallets are caught up under their row locks, up to
 * {@link #WALLETS_PER_TRANSACTION} in a transaction, skipping wallets another transaction holds, and re-checking
 * what is due under the lock, so any number of instances may sweep at once and a repeated sweep changes nothing.
 */
@ApplicationScoped
public class WalletSweeps {

    /**
     * Most wallets caught up in one transaction. A call that needs one of them waits until the transaction ends, so
     * it is kept short; 50 wallets make it one statement each way, not 50.
     */
    static final int WALLETS_PER_TRANSACTION = 50;

    private static final Logger LOG = Logger.getLogger(WalletSweeps.class);

    @Inject
    RewardsConfig config;

    @Inject
    Wallets wallets;

    @Scheduled(every = "${rewards.sweep.every}", identity = "rewards-wallet-sweep",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        sweep(Instant.now());
    }

    /** Catches up every wallet with something due at {@code now}; returns how many were caught up. */
    public int sweep(Instant now) {
        int total = 0;
        int batch = config.sweep().batchSize();
        Set<UUID> seen = new HashSet<>();
        while (true) {
            List<UUID> due = wallets.dueForCatchUp(now, batch);
            List<UUID> fresh = due.stream().filter(seen::add).toList();
            for (int from = 0; from < fresh.size(); from += WALLETS_PER_TRANSACTION) {
                total += catchUp(fresh.subList(from, Math.min(fresh.size(), from + WALLETS_PER_TRANSACTION)), now);
            }
            // Busy wallets stay due; they catch up themselves or on the next sweep, so one pass each is enough.
            if (due.size() < batch || fresh.isEmpty()) {
                break;
            }
        }
        wallets.purgeTokens(now.minus(config.sweep().tokenRetention()));
        return total;
    }

    /**
     * Catches up {@code participantIds} together ({@link Wallets#catchUpTogether}), then those it left (they hold
     * overdue redemptions) one by one; if the shared transaction fails, every wallet is caught up one by one, so
     * one wallet's failure holds back no other. Returns how many were caught up.
     */
    private int catchUp(List<UUID> participantIds, Instant now) {
        int total = 0;
        List<UUID> alone = participantIds;
        try {
            Wallets.Together together = wallets.catchUpTogether(participantIds, now);
            total = together.caughtUp();
            alone = together.left();
        } catch (RuntimeException e) {
            LOG.debugf(e, "%d wallets not caught up together; catching them up one by one", participantIds.size());
        }
        for (UUID participantId : alone) {
            if (wallets.catchUpUnlessBusy(participantId, now)) {
                total++;
            }
        }
        return total;
    }
}
