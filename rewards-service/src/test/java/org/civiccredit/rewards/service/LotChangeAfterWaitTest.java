package org.civiccredit.rewards.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.civiccredit.kit.testing.LockWaits;
import org.civiccredit.rewards.domain.Offer;
import org.civiccredit.rewards.domain.ReversedAward;
import org.junit.jupiter.api.Test;

/**
 * A change to one lot (a reversal, a freeze, a release) finds the lot before it waits for the wallet's lock; while it
 * waits, another transaction may change that lot. It must work on the lot as that transaction committed it, not
 * as it read it before waiting, or it claws back points that are no longer there and the ledger no longer agrees
 * with the lots.
 */
@QuarkusTest
class LotChangeAfterWaitTest {

    @Inject
    Wallets wallets;

    @Inject
    Redemptions redemptions;

    @Inject
    Merchants merchants;

    @Inject
    Offers offers;

    @Inject
    Participants participants;

    @Inject
    LedgerVerification verification;

    @Inject
    AgroalDataSource db;

    @Test
    void aReversalThatWaitedForTheWalletSeesTheHoldMadeMeanwhile() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String merchant = "waiting-" + UUID.randomUUID();
        merchants.register(merchant, "Waiting shop", "client-" + merchant);
        Offer tea = offers.publish(merchant, new Offers.Draft("Tea", "", 10, "", 1_000, 0, null), start);
        UUID participant = UUID.randomUUID();
        participants.register(participant.toString(), "waiting-" + participant);
        String overturned = "report-" + UUID.randomUUID();
        wallets.award(overturned, participant.toString(), 10, "LIBRARY_SHIFT", 1, start.minus(Duration.ofDays(20)));
        wallets.award("report-" + UUID.randomUUID(), participant.toString(), 10, "LIBRARY_SHIFT", 1,
                start.minus(Duration.ofDays(19)));
        wallets.catchUp(participant, start);
        String token = redemptions.issueToken(participant, "", start).token();

        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        // The reservation holds the overturned report's lot (the oldest) and keeps the wallet locked until told.
        CompletableFuture<Void> reservation = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew()
                .run(() -> {
                    redemptions.reserve(merchant, token, tea.offerId().toString(), start.plusSeconds(1));
                    held.countDown();
                    await(commit);
                }));
        assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
        // The reversal reads the lot as last committed (all 10 points in it), then waits for the wallet.
        CompletableFuture<ReversedAward> reversal = CompletableFuture.supplyAsync(() -> wallets.reverse(overturned,
                "overturned", start.plusSeconds(2)).value());
        LockWaits.await(db, 1, "the reversal never waited for the wallet");
        commit.countDown();
        reservation.get(30, TimeUnit.SECONDS);
        ReversedAward reversed = reversal.get(30, TimeUnit.SECONDS);

        assertThat(reversed.reversal().clawedBack()).as("nothing left in the lot to claw back: it is held").isZero();
        assertThat(reversed.reversal().shortfall()).as("the held points, a shortfall until they come back")
                .isEqualTo(10);
        assertThat(verification.verify(start.plusSeconds(3)).balanced()).as("the ledger agrees with the lots").isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
