package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.civiccredit.api.rewards.v1.CaptureRedemptionRequest;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc.LedgerServiceBlockingStub;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.Redemption;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.VerifyLedgerRequest;
import org.civiccredit.kit.testing.AtOnce;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.service.Participants;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * Not a timed assertion: measures reserve + capture pairs through the merchant's RPCs against PostgreSQL (one
 * client thread; then 16 threads over 64 wallets, all on one offer and on one offer per thread) and prints the
 * rates for the performance notes. Redeem tokens are issued beforehand, outside the measurement.
 */
@QuarkusTest
class ReserveCaptureRateGrpcServiceTest {

    private static final int WALLETS = 64;
    private static final int THREADS = 16;

    @GrpcClient("self")
    RedemptionServiceBlockingStub redemption;

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @GrpcClient("self")
    LedgerServiceBlockingStub ledger;

    @Inject
    Participants participants;

    @Inject
    Wallets wallets;

    @Inject
    Redemptions redemptions;

    /** Wallets able to pay for every pair of the runs. */
    private List<UUID> payers(int count) {
        List<UUID> payers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UUID id = UUID.randomUUID();
            participants.register(id.toString(), "rate-" + id);
            RewardsFixtures.spendable(wallets, id.toString(), 10_000);
            payers.add(id);
        }
        return payers;
    }

    /** One reserve and one full capture; returns the pair's duration in nanoseconds. */
    private long pair(RedemptionServiceBlockingStub asShop, String token, Offer offer) {
        long started = System.nanoTime();
        Redemption held = asShop.reserveRedemption(ReserveRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedeemToken(token)
                .setOfferId(offer.getOfferId()).build());
        asShop.captureRedemption(CaptureRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedemptionId(held.getRedemptionId()).build());
        return System.nanoTime() - started;
    }

    /**
     * Runs {@code perThread} pairs on each of {@code threads} threads, thread t paying with the wallets t,
     * t + threads, … in turn and redeeming {@code offers.get(t % offers.size())}; prints the rate. The redeem
     * tokens are issued first, outside the measurement.
     */
    private void measure(String label, TestMerchant shop, List<Offer> offers, List<UUID> payers, int threads,
            int perThread) throws Exception {
        RedemptionServiceBlockingStub asShop = BearerAuth.as(redemption, shop.token());
        List<Callable<long[]>> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<String> tokens = new ArrayList<>();
            for (int j = 0; j < perThread; j++) {
                UUID payer = payers.get(t + threads * (j % (payers.size() / threads)));
                tokens.add(redemptions.issueToken(payer, "", Instant.now()).token());
            }
            Offer offer = offers.get(t % offers.size());
            loops.add(() -> {
                long[] took = new long[perThread];
                for (int j = 0; j < perThread; j++) {
                    took[j] = pair(asShop, tokens.get(j), offer);
                }
                return took;
            });
        }
        long started = System.nanoTime();
        List<long[]> results = AtOnce.all(loops);
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] all = results.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf("reserve+capture %-40s %5d pairs in %6.2f s = %6.1f pairs/s (%6.1f calls/s); pair "
                + "p50 %5.1f ms, p99 %6.1f ms; %d cores%n", label, all.length, seconds, all.length / seconds,
                2 * all.length / seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
                Runtime.getRuntime().availableProcessors());
    }

    @Test
    void measuresTheReserveAndCaptureRate() throws Exception {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        List<Offer> offers = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            offers.add(RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(1, 1_000_000)));
        }
        List<UUID> single = payers(1);
        List<UUID> many = payers(WALLETS);

        measure("warm-up (not a figure)", shop, offers.subList(0, 1), single, 1, 100);
        measure("sequential, 1 wallet", shop, offers.subList(0, 1), single, 1, 300);
        measure(THREADS + " threads, " + WALLETS + " wallets, 1 offer", shop, offers.subList(0, 1), many,
                THREADS, 40);
        measure(THREADS + " threads, " + WALLETS + " wallets, 1 offer each", shop, offers, many, THREADS, 40);

        assertThat(BearerAuth.as(ledger, DemoTokens.adminClient()).verifyLedger(VerifyLedgerRequest
                .getDefaultInstance()).getBalanced()).isTrue();
    }
}
