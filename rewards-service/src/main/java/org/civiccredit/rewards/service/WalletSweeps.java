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

/**
 * Catches wallets up with time on a schedule: holds past their TTL are voided as expired (points back, stock
 * back), pending lots past their contest window become available, lot remainders past their expiry go to the
 * programme's expired account; spent redeem tokens are deleted. Each wallet is caught up in its own transaction
 * under its row lock, skipping wallets another transaction holds, and re-checking what is due under the lock,
 * so any number of instances may sweep at once and a repeated sweep changes nothing.
 */
@ApplicationScoped
public class WalletSweeps {

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
            for (UUID participantId : fresh) {
                if (wallets.catchUpUnlessBusy(participantId, now)) {
                    total++;
                }
            }
            // Busy wallets stay due; they catch up themselves or on the next sweep, so one pass each is enough.
            if (due.size() < batch || fresh.isEmpty()) {
                break;
            }
        }
        wallets.purgeTokens(now.minus(config.sweep().tokenRetention()));
        return total;
    }
}
