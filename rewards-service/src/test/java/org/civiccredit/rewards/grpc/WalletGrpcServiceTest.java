package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.civiccredit.rewards.grpc.RewardsFixtures.refused;

import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.civiccredit.api.rewards.v1.AccountKind;
import org.civiccredit.api.rewards.v1.AwardLot;
import org.civiccredit.api.rewards.v1.CaptureRedemptionRequest;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.LotState;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.MovementReason;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.Redemption;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.api.rewards.v1.WalletMovement;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc.WalletServiceBlockingStub;
import org.civiccredit.kit.testing.AtOnce;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.rewards.domain.Movement;
import org.civiccredit.rewards.domain.WalletView;
import org.civiccredit.rewards.grpc.RewardsFixtures.Enrolled;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/** A participant's own wallet: balances derived from the ledger, lots with their expiry, movements with reasons. */
@QuarkusTest
class WalletGrpcServiceTest {

    private static final org.civiccredit.rewards.domain.MovementReason EXPIRY =
            org.civiccredit.rewards.domain.MovementReason.EXPIRY;

    @GrpcClient("self")
    WalletServiceBlockingStub wallet;

    @GrpcClient("self")
    RedemptionServiceBlockingStub redemption;

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internal;

    @Inject
    Wallets wallets;

    @Test
    void theWalletShowsPendingAndAvailablePointsLotsAndMovements() {
        Enrolled pat = RewardsFixtures.enrolled(internal);
        String older = "report-" + UUID.randomUUID();
        String newer = "report-" + UUID.randomUUID();
        wallets.award(older, pat.participantId(), 40, "LIBRARY_SHIFT", 3, Instant.now().minus(Duration.ofDays(20)));
        wallets.award(newer, pat.participantId(), 15, "LITTER_PICK", 3, Instant.now());

        Wallet w = BearerAuth.as(wallet, pat.token()).getWallet(GetWalletRequest.getDefaultInstance());
        assertThat(w.getParticipantId()).isEqualTo(pat.participantId());
        assertThat(w.getAvailable()).isEqualTo(40);
        assertThat(w.getPending()).isEqualTo(15);
        assertThat(w.getHeld()).isZero();
        assertThat(w.getLotsList()).extracting(AwardLot::getReportId).containsExactly(older, newer);
        AwardLot available = w.getLots(0);
        assertThat(available.getState()).isEqualTo(LotState.LOT_STATE_AVAILABLE);
        assertThat(available.getRuleCode()).isEqualTo("LIBRARY_SHIFT");
        assertThat(available.getExpiresAt().getSeconds() - available.getAwardedAt().getSeconds())
                .isEqualTo(Duration.ofDays(365).toSeconds());
        AwardLot pending = w.getLots(1);
        assertThat(pending.getState()).isEqualTo(LotState.LOT_STATE_PENDING);
        assertThat(pending.getAvailableFrom().getSeconds() - pending.getAwardedAt().getSeconds())
                .isEqualTo(Duration.ofDays(14).toSeconds());

        // An award opens no other lot, so the older lot's availability is posted when the wallet is next opened:
        // by this read, after the newer award.
        assertThat(w.getRecentMovementsList()).extracting(WalletMovement::getReason).containsExactly(
                MovementReason.MOVEMENT_REASON_AWARD_AVAILABLE, MovementReason.MOVEMENT_REASON_REPORT_AWARD,
                MovementReason.MOVEMENT_REASON_REPORT_AWARD);
        WalletMovement newerAward = w.getRecentMovements(1);
        assertThat(newerAward.getReference()).isEqualTo(newer);
        assertThat(newerAward.getFromAccount()).isEqualTo(AccountKind.ACCOUNT_KIND_PROGRAM_ISSUANCE);
        assertThat(newerAward.getToAccount()).isEqualTo(AccountKind.ACCOUNT_KIND_PARTICIPANT_PENDING);
        assertThat(BearerAuth.as(wallet, pat.token()).getWallet(GetWalletRequest.newBuilder()
                .setRecentMovementsLimit(1).build()).getRecentMovementsList()).hasSize(1);
        refused(() -> BearerAuth.as(wallet, pat.token()).getWallet(GetWalletRequest.newBuilder()
                .setRecentMovementsLimit(201).build()), Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
    }

    @Test
    void spendingTakesTheOldestLotAndItsRemainderExpiresOnSchedule() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(30, 100));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        Instant now = Instant.now();
        String oldReport = "report-" + UUID.randomUUID();
        String newReport = "report-" + UUID.randomUUID();
        wallets.award(oldReport, pat.participantId(), 50, "LIBRARY_SHIFT", 1, now.minus(Duration.ofDays(300)));
        wallets.award(newReport, pat.participantId(), 50, "LIBRARY_SHIFT", 1, now.minus(Duration.ofDays(20)));

        String token = BearerAuth.as(wallet, pat.token()).issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build()).getToken();
        RedemptionServiceBlockingStub asCafe = BearerAuth.as(redemption, cafe.token());
        Redemption held = asCafe.reserveRedemption(ReserveRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedeemToken(token)
                .setOfferId(offer.getOfferId()).build());
        asCafe.captureRedemption(CaptureRedemptionRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setRedemptionId(held.getRedemptionId()).build());
        Wallet afterSpend = BearerAuth.as(wallet, pat.token()).getWallet(GetWalletRequest.getDefaultInstance());
        assertThat(afterSpend.getLotsList()).extracting(AwardLot::getReportId, AwardLot::getRemaining)
                .containsExactly(tuple(oldReport, 20L),
                        tuple(newReport, 50L));

        Instant afterOldExpiry = now.plus(Duration.ofDays(66));
        wallets.catchUp(pat.id(), afterOldExpiry);
        wallets.catchUp(pat.id(), afterOldExpiry);
        WalletView later = wallets.view(pat.id(), true, 5, afterOldExpiry);
        assertThat(later.available()).isEqualTo(50);
        assertThat(later.lots()).extracting(l -> l.reportId() + ":" + l.state() + ":" + l.remaining() + ":"
                + l.spent() + ":" + l.expired())
                .containsExactly(oldReport + ":EXPIRED:0:30:20", newReport + ":AVAILABLE:50:0:0");
        assertThat(later.movements().get(0).reason()).isEqualTo(EXPIRY);
        assertThat(later.movements().get(0).amount()).isEqualTo(20);
        assertThat(later.movements().get(1).reason())
                .as("a repeated catch-up changes nothing").isNotEqualTo(EXPIRY);
    }

    @Test
    void sweepsRacingOnOneWalletExpireEachLotOnce() throws Exception {
        Enrolled pat = RewardsFixtures.enrolled(internal);
        Instant now = Instant.now();
        wallets.award("report-" + UUID.randomUUID(), pat.participantId(), 40, "LIBRARY_SHIFT", 1,
                now.minus(Duration.ofDays(300)));
        wallets.award("report-" + UUID.randomUUID(), pat.participantId(), 60, "LIBRARY_SHIFT", 1,
                now.minus(Duration.ofDays(290)));
        Instant afterExpiry = now.plus(Duration.ofDays(80));
        List<Callable<Boolean>> sweeps = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            boolean skipBusy = i % 2 == 0;
            sweeps.add(() -> {
                if (skipBusy) {
                    return wallets.catchUpUnlessBusy(pat.id(), afterExpiry);
                }
                wallets.catchUp(pat.id(), afterExpiry);
                return true;
            });
        }
        AtOnce.all(sweeps);
        WalletView after = wallets.view(pat.id(), true, 50, afterExpiry);
        assertThat(after.available()).isZero();
        assertThat(after.lots()).allSatisfy(l -> assertThat(l.state())
                .isEqualTo(org.civiccredit.rewards.domain.LotState.EXPIRED));
        assertThat(after.movements()).filteredOn(m -> m.reason() == EXPIRY)
                .extracting(Movement::amount).containsExactlyInAnyOrder(40L, 60L);
    }

    @Test
    void someoneNotEnrolledHasNoWallet() {
        refused(() -> BearerAuth.as(wallet, TestParticipants.create().token())
                .getWallet(GetWalletRequest.getDefaultInstance()),
                Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_ENROLLED");
    }
}
