package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.civiccredit.api.rewards.v1.CaptureRedemptionRequest;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc.LedgerServiceBlockingStub;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.Redemption;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.rewards.v1.VerifyLedgerRequest;
import org.civiccredit.api.rewards.v1.VoidRedemptionRequest;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc.WalletServiceBlockingStub;
import org.civiccredit.kit.testing.AtOnce;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.rewards.grpc.RewardsFixtures.Enrolled;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * Redemption under concurrency, through the real RPCs against PostgreSQL: the available balance never goes
 * below zero and a hold is settled at most once, however many calls race.
 */
@QuarkusTest
class RedemptionConcurrencyGrpcServiceTest {

    @GrpcClient("self")
    RedemptionServiceBlockingStub redemption;

    @GrpcClient("self")
    WalletServiceBlockingStub wallet;

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internal;

    @GrpcClient("self")
    LedgerServiceBlockingStub ledger;

    @Inject
    Wallets wallets;

    @Inject
    Redemptions redemptions;

    /** The outcome of one call: "ok" or the refusal's ErrorInfo reason. */
    private static String outcome(Runnable call) {
        try {
            call.run();
            return "ok";
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + "/" + RewardsFixtures.reason(e);
        }
    }

    private void assertLedgerBalances() {
        assertThat(BearerAuth.as(ledger, DemoTokens.adminClient()).verifyLedger(VerifyLedgerRequest.getDefaultInstance())
                .getBalanced()).isTrue();
    }

    @Test
    void sixtyFourConcurrentReservesOnAWalletThatAffordsSevenLetExactlySevenThrough() throws Exception {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(10, 1000));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 75);
        WalletServiceBlockingStub asPat = BearerAuth.as(wallet, pat.token());
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            tokens.add(asPat.issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                    .setIdempotencyKey(UUID.randomUUID().toString()).build()).getToken());
        }
        RedemptionServiceBlockingStub asCafe = BearerAuth.as(redemption, cafe.token());
        List<Callable<String>> calls = new ArrayList<>();
        for (String token : tokens) {
            calls.add(() -> outcome(() -> asCafe.reserveRedemption(ReserveRedemptionRequest.newBuilder()
                    .setIdempotencyKey(UUID.randomUUID().toString()).setRedeemToken(token)
                    .setOfferId(offer.getOfferId()).build())));
        }

        List<String> outcomes = AtOnce.all(calls);
        assertThat(outcomes).filteredOn("ok"::equals).hasSize(7);
        assertThat(outcomes).filteredOn(o -> !o.equals("ok")).hasSize(57)
                .allMatch("FAILED_PRECONDITION/NOT_ELIGIBLE"::equals);
        Wallet w = asPat.getWallet(GetWalletRequest.getDefaultInstance());
        assertThat(w.getAvailable()).isEqualTo(5);
        assertThat(w.getHeld()).isEqualTo(70);
        assertLedgerBalances();
    }

    @Test
    void aCaptureRacingAVoidOfTheSameHoldExactlyOneWins() throws Exception {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(10, 1000));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 1000);
        RedemptionServiceBlockingStub asCafe = BearerAuth.as(redemption, cafe.token());
        int captures = 0;
        for (int round = 0; round < 12; round++) {
            Redemption held = asCafe.reserveRedemption(ReserveRedemptionRequest.newBuilder()
                    .setIdempotencyKey(UUID.randomUUID().toString())
                    .setRedeemToken(redemptions.issueToken(pat.id(), "", Instant.now()).token())
                    .setOfferId(offer.getOfferId()).build());
            Callable<String> capture = () -> outcome(() -> asCafe.captureRedemption(CaptureRedemptionRequest
                    .newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                    .setRedemptionId(held.getRedemptionId()).build()));
            Callable<String> voidIt = () -> outcome(() -> asCafe.voidRedemption(VoidRedemptionRequest.newBuilder()
                    .setIdempotencyKey(UUID.randomUUID().toString()).setRedemptionId(held.getRedemptionId()).build()));
            Callable<String> secondCapture = () -> outcome(() -> asCafe.captureRedemption(CaptureRedemptionRequest
                    .newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                    .setRedemptionId(held.getRedemptionId()).setPoints(4).build()));
            List<String> outcomes = AtOnce.all(List.of(capture, voidIt, secondCapture));
            assertThat(outcomes).filteredOn("ok"::equals).hasSize(1);
            String captureOutcome = outcomes.get(0);
            String secondOutcome = outcomes.get(2);
            if (outcomes.get(1).equals("ok")) {
                assertThat(List.of(captureOutcome, secondOutcome))
                        .allMatch("FAILED_PRECONDITION/REDEMPTION_VOIDED"::equals);
            } else {
                captures++;
                assertThat(outcomes.get(1)).isEqualTo("FAILED_PRECONDITION/REDEMPTION_CAPTURED");
                assertThat(captureOutcome.equals("ok") ? secondOutcome : captureOutcome)
                        .isEqualTo("FAILED_PRECONDITION/REDEMPTION_CAPTURED");
            }
        }
        Wallet w = BearerAuth.as(wallet, pat.token()).getWallet(GetWalletRequest.getDefaultInstance());
        assertThat(w.getHeld()).isZero();
        assertThat(w.getAvailable()).isBetween(1000L - 10L * captures, 1000L - 4L * captures);
        assertLedgerBalances();
    }
}
