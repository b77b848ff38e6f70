package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.civiccredit.rewards.grpc.RewardsFixtures.refused;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.rewards.v1.AwardLot;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.CaptureRedemptionRequest;
import org.civiccredit.api.rewards.v1.EraseParticipantRequest;
import org.civiccredit.api.rewards.v1.EraseParticipantResponse;
import org.civiccredit.api.rewards.v1.ExportParticipantDataRequest;
import org.civiccredit.api.rewards.v1.FreezeAwardRequest;
import org.civiccredit.api.rewards.v1.GetPeriodTotalsRequest;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc.LedgerServiceBlockingStub;
import org.civiccredit.api.rewards.v1.ListMyRedemptionsRequest;
import org.civiccredit.api.rewards.v1.LotState;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.MovementReason;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.PointTotals;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.RedemptionState;
import org.civiccredit.api.rewards.v1.RegisterParticipantRequest;
import org.civiccredit.api.rewards.v1.ReleaseAwardRequest;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardResponse;
import org.civiccredit.api.rewards.v1.RewardsDataExport;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.rewards.v1.VerifyLedgerRequest;
import org.civiccredit.api.rewards.v1.VoidRedemptionRequest;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.api.rewards.v1.WalletMovement;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc.WalletServiceBlockingStub;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.rewards.api.RewardsMapping;
import org.civiccredit.rewards.grpc.RewardsFixtures.Enrolled;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.service.Participants;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * The relays' calls: participants registered and erased (holds voided, balance forfeited, ledger anonymised),
 * awards idempotent on their report, frozen, released and reversed with a visible shortfall; export and totals.
 */
@QuarkusTest
class RewardsInternalGrpcServiceTest {

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internal;

    @Inject
    Participants participants;

    @Inject
    Wallets wallets;

    @Inject
    Redemptions redemptions;

    @Inject
    EntityManager em;

    @GrpcClient("self")
    WalletServiceBlockingStub wallet;

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @GrpcClient("self")
    LedgerServiceBlockingStub ledger;

    @GrpcClient("self")
    RedemptionServiceBlockingStub redemption;

    private static RegisterParticipantRequest register(String id, String subject) {
        return RegisterParticipantRequest.newBuilder().setIdempotencyKey("register-" + id).setParticipantId(id)
                .setKeycloakSubject(subject).build();
    }

    private static EraseParticipantRequest erase(String id) {
        return EraseParticipantRequest.newBuilder().setIdempotencyKey("erase-" + id).setParticipantId(id).build();
    }

    @Test
    void registrationIsIdempotentAndErasureIsFinal() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        String id = UUID.randomUUID().toString();
        String subject = "subject-" + UUID.randomUUID();
        service.registerParticipant(register(id, subject));
        service.registerParticipant(register(id, subject));
        assertThat(participants.active(id)).isTrue();

        assertThatThrownBy(() -> service.registerParticipant(register(id, "someone-else")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));

        service.eraseParticipant(erase(id));
        service.eraseParticipant(erase(id));
        assertThat(participants.active(id)).isFalse();
        assertThatThrownBy(() -> service.registerParticipant(register(id, subject)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void reEnrolmentMovesTheSubjectToTheNewParticipantId() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        String subject = "subject-" + UUID.randomUUID();
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        service.registerParticipant(register(first, subject));
        service.eraseParticipant(erase(first));
        service.registerParticipant(register(second, subject));
        assertThat(participants.active(second)).isTrue();
        assertThat(participants.active(first)).isFalse();
    }

    @Test
    void onlyTheServiceRoleMayRegister() {
        assertThatThrownBy(() -> BearerAuth.as(internal, DemoTokens.adminClient())
                .registerParticipant(register(UUID.randomUUID().toString(), "s")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    private static AwardPointsRequest award(String reportId, String participantId, long points) {
        return AwardPointsRequest.newBuilder().setIdempotencyKey("award-" + UUID.randomUUID()).setReportId(reportId)
                .setParticipantId(participantId).setPoints(points).setRuleCode("LIBRARY_SHIFT").setRuleTableVersion(2)
                .build();
    }

    private static ReverseAwardRequest reverse(String reportId) {
        return ReverseAwardRequest.newBuilder().setIdempotencyKey("reverse-" + UUID.randomUUID())
                .setReportId(reportId).setReason("overturned on contest").build();
    }

    @Test
    void anAwardIsIdempotentOnItsReportAndNeedsARegisteredParticipant() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        Enrolled pat = RewardsFixtures.enrolled(internal);
        String report = "report-" + UUID.randomUUID();
        AwardLot lot = service.awardPoints(award(report, pat.participantId(), 25));
        assertThat(lot.getState()).isEqualTo(LotState.LOT_STATE_PENDING);
        assertThat(lot.getAmount()).isEqualTo(25);
        assertThat(service.awardPoints(award(report, pat.participantId(), 25))).isEqualTo(lot);
        refused(() -> service.awardPoints(award(report, pat.participantId(), 26)), Status.Code.ALREADY_EXISTS,
                "ALREADY_EXISTS");
        refused(() -> service.awardPoints(award("report-" + UUID.randomUUID(), UUID.randomUUID().toString(), 5)),
                Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_REGISTERED");
        refused(() -> service.awardPoints(award(report, pat.participantId(), 0)), Status.Code.INVALID_ARGUMENT,
                "INVALID_ARGUMENT");
        refused(() -> BearerAuth.as(internal, DemoTokens.merchantCornerCafe())
                .awardPoints(award(report, pat.participantId(), 25)), Status.Code.PERMISSION_DENIED, null);
    }

    @Test
    void aFrozenAwardStaysPendingUntilReleased() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        Enrolled pat = RewardsFixtures.enrolled(internal);
        String report = "report-" + UUID.randomUUID();
        service.awardPoints(award(report, pat.participantId(), 25));
        FreezeAwardRequest freeze = FreezeAwardRequest.newBuilder().setIdempotencyKey("f-" + report)
                .setReportId(report).build();
        assertThat(service.freezeAward(freeze).getFrozen()).isTrue();
        assertThat(service.freezeAward(freeze).getFrozen()).as("freezing twice is harmless").isTrue();
        Instant afterWindow = Instant.now().plus(Duration.ofDays(15));
        wallets.catchUp(pat.id(), afterWindow);
        assertThat(wallets.view(pat.id(), false, 0, afterWindow).pending()).isEqualTo(25);
        AwardLot released = RewardsMapping.lot(wallets.release(report, afterWindow).value());
        assertThat(released.getState()).isEqualTo(LotState.LOT_STATE_AVAILABLE);
        assertThat(released.getFrozen()).isFalse();
        refused(() -> service.freezeAward(FreezeAwardRequest.newBuilder().setIdempotencyKey("f")
                .setReportId("report-" + UUID.randomUUID()).build()), Status.Code.NOT_FOUND, "NOT_FOUND");
    }

    @Test
    void aReversalClawsBackPendingThenAvailableAndRecordsTheShortfallOnce() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        Enrolled pat = RewardsFixtures.enrolled(internal);
        String pendingReport = "report-" + UUID.randomUUID();
        service.awardPoints(award(pendingReport, pat.participantId(), 30));
        ReverseAwardResponse pendingReversed = service.reverseAward(reverse(pendingReport));
        assertThat(pendingReversed.getClawedBack()).isEqualTo(30);
        assertThat(pendingReversed.getShortfall()).isZero();
        assertThat(pendingReversed.getLot().getState()).isEqualTo(LotState.LOT_STATE_REVERSED);

        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(90, 100));
        String spentReport = "report-" + UUID.randomUUID();
        wallets.award(spentReport, pat.participantId(), 100, "LIBRARY_SHIFT", 2,
                Instant.now().minus(Duration.ofDays(30)));
        RewardsFixtures.spendable(wallets, pat.participantId(), 20);
        var held = redemptions.reserve("corner-cafe", redemptions.issueToken(pat.id(), "", Instant.now()).token(),
                offer.getOfferId(), Instant.now());
        redemptions.capture("corner-cafe", held.redemptionId().toString(), 0, Instant.now());

        ReverseAwardResponse reversed = service.reverseAward(reverse(spentReport));
        assertThat(reversed.getClawedBack()).as("10 left of the lot, then 20 of the other lot").isEqualTo(30);
        assertThat(reversed.getShortfall()).isEqualTo(70);
        assertThat(reversed.getLot().getClawbackShortfall()).isEqualTo(70);
        assertThat(service.reverseAward(reverse(spentReport))).as("a repeated call returns the first result")
                .isEqualTo(reversed);
        Wallet w = BearerAuth.as(wallet, pat.token()).getWallet(GetWalletRequest.newBuilder()
                .setIncludeClosedLots(true).build());
        assertThat(w.getAvailable()).isZero();
        assertThat(w.getLotsList()).filteredOn(l -> l.getReportId().equals(spentReport)).singleElement()
                .satisfies(l -> assertThat(l.getClawbackShortfall()).isEqualTo(70));
        assertThat(BearerAuth.as(ledger, DemoTokens.adminClient()).verifyLedger(VerifyLedgerRequest
                .getDefaultInstance()).getBalanced()).isTrue();
    }

    @Test
    void erasureVoidsHoldsForfeitsTheBalanceAndAnonymisesTheLedger() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        Enrolled pat = RewardsFixtures.enrolled(internal);
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(30, 100));
        String report = "report-" + UUID.randomUUID();
        wallets.award(report, pat.participantId(), 100, "LIBRARY_SHIFT", 2, Instant.now().minus(Duration.ofDays(30)));
        service.awardPoints(award("report-" + UUID.randomUUID(), pat.participantId(), 7));
        var held = redemptions.reserve("corner-cafe", redemptions.issueToken(pat.id(), "", Instant.now()).token(),
                offer.getOfferId(), Instant.now());

        EraseParticipantResponse erased = service.eraseParticipant(erase(pat.participantId()));
        assertThat(erased.getHoldsVoided()).isEqualTo(1);
        assertThat(erased.getForfeitedPoints()).isEqualTo(107);
        assertThat(service.eraseParticipant(erase(pat.participantId())))
                .isEqualTo(EraseParticipantResponse.getDefaultInstance());
        refused(() -> BearerAuth.as(wallet, pat.token()).getWallet(GetWalletRequest.getDefaultInstance()),
                Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_ENROLLED");
        refused(() -> service.reverseAward(reverse(report)), Status.Code.FAILED_PRECONDITION, "PARTICIPANT_ERASED");
        refused(() -> service.awardPoints(award("report-" + UUID.randomUUID(), pat.participantId(), 5)),
                Status.Code.FAILED_PRECONDITION, "PARTICIPANT_ERASED");
        refused(() -> service.exportParticipantData(ExportParticipantDataRequest.newBuilder()
                .setParticipantId(pat.participantId()).build()), Status.Code.NOT_FOUND, "NOT_FOUND");
        assertThat(BearerAuth.as(merchants, cafe.token()).listMyRedemptions(ListMyRedemptionsRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(500)).build()).getRedemptionsList())
                .filteredOn(r -> r.getRedemptionId().equals(held.redemptionId().toString())).singleElement()
                .satisfies(r -> assertThat(r.getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_VOIDED));
        // The hold no longer names a participant: capturing or voiding it locks the redemption itself.
        RedemptionServiceBlockingStub asCafe = BearerAuth.as(redemption, cafe.token());
        refused(() -> asCafe.captureRedemption(CaptureRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedemptionId(held.redemptionId().toString())
                .build()), Status.Code.FAILED_PRECONDITION, "REDEMPTION_VOIDED");
        assertThat(asCafe.voidRedemption(VoidRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedemptionId(held.redemptionId().toString())
                .build()).getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_VOIDED);
        assertThat(movementsNaming(pat.participantId())).isZero();
        assertThat(BearerAuth.as(ledger, DemoTokens.adminClient()).verifyLedger(VerifyLedgerRequest
                .getDefaultInstance()).getBalanced()).isTrue();
    }

    @Test
    void erasureAlsoCancelsFrozenAwardsAndLeavesNothingThatNamesTheParticipant() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        Enrolled pat = RewardsFixtures.enrolled(internal);
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(30, 5));
        String spendable = "report-" + UUID.randomUUID();
        String pending = "report-" + UUID.randomUUID();
        String contested = "report-" + UUID.randomUUID();
        wallets.award(spendable, pat.participantId(), 100, "LIBRARY_SHIFT", 2, Instant.now().minus(Duration.ofDays(30)));
        service.awardPoints(award(pending, pat.participantId(), 7));
        service.awardPoints(award(contested, pat.participantId(), 11));
        service.freezeAward(FreezeAwardRequest.newBuilder().setIdempotencyKey("f-" + contested)
                .setReportId(contested).build());
        WalletServiceBlockingStub asPat = BearerAuth.as(wallet, pat.token());
        RedemptionServiceBlockingStub asShop = BearerAuth.as(redemption, shop.token());
        String used = asPat.issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build()).getToken();
        String unused = asPat.issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build()).getToken();
        asShop.reserveRedemption(ReserveRedemptionRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setRedeemToken(used).setOfferId(offer.getOfferId()).build());

        EraseParticipantResponse erased = service.eraseParticipant(erase(pat.participantId()));
        assertThat(erased.getHoldsVoided()).isEqualTo(1);
        assertThat(erased.getForfeitedPoints()).as("available, held, pending and frozen").isEqualTo(118);
        refused(() -> asShop.reserveRedemption(ReserveRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedeemToken(unused)
                .setOfferId(offer.getOfferId()).build()), Status.Code.FAILED_PRECONDITION, "TOKEN_INVALID");
        assertThat(RewardsFixtures.ownOffer(merchants, shop, offer).getStockRemaining()).isEqualTo(5);
        refused(() -> service.releaseAward(ReleaseAwardRequest.newBuilder().setIdempotencyKey("r-" + contested)
                .setReportId(contested).build()), Status.Code.FAILED_PRECONDITION, "PARTICIPANT_ERASED");

        assertThat(movementsNaming(pat.participantId())).isZero();
        assertThat(count("SELECT count(*) FROM ledger_movement WHERE reference IN (?1, ?2, ?3)",
                spendable, pending, contested)).as("no movement leads back to the reports").isZero();
        assertThat(count("SELECT (SELECT count(*) FROM award_lot WHERE participant_id = CAST(?1 AS uuid)) "
                + "+ (SELECT count(*) FROM redemption WHERE participant_id = CAST(?1 AS uuid)) "
                + "+ (SELECT count(*) FROM redeem_token WHERE participant_id = CAST(?1 AS uuid))",
                pat.participantId())).isZero();
        assertThat(count("SELECT count(*) FROM idempotency_key WHERE starts_with(scope, ?1)", pat.subject()))
                .as("stored answers of the participant's own calls").isZero();
        assertThat(BearerAuth.as(ledger, DemoTokens.adminClient()).verifyLedger(VerifyLedgerRequest
                .getDefaultInstance()).getBalanced()).isTrue();
    }

    private long count(String sql, Object... params) {
        var query = em.createNativeQuery(sql);
        for (int i = 0; i < params.length; i++) {
            query.setParameter(i + 1, params[i]);
        }
        return ((Number) query.getSingleResult()).longValue();
    }

    private long movementsNaming(String participantId) {
        return count("SELECT (SELECT count(*) FROM ledger_entry WHERE owner_id = ?1) "
                + "+ (SELECT count(*) FROM ledger_movement WHERE participant_id = CAST(?1 AS uuid))", participantId);
    }

    @Test
    void anExportHoldsTheWalletMovementsAndRedemptions() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        Enrolled pat = RewardsFixtures.enrolled(internal);
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(10, 100));
        RewardsFixtures.spendable(wallets, pat.participantId(), 40);
        redemptions.reserve("corner-cafe", redemptions.issueToken(pat.id(), "", Instant.now()).token(),
                offer.getOfferId(), Instant.now());
        redemptions.issueToken(pat.id(), "", Instant.now());

        RewardsDataExport export = service.exportParticipantData(ExportParticipantDataRequest.newBuilder()
                .setParticipantId(pat.participantId()).build());
        assertThat(export.getWallet().getAvailable()).isEqualTo(30);
        assertThat(export.getWallet().getHeld()).isEqualTo(10);
        assertThat(export.getMovementsList()).extracting(WalletMovement::getReason).containsExactly(
                MovementReason.MOVEMENT_REASON_REPORT_AWARD, MovementReason.MOVEMENT_REASON_AWARD_AVAILABLE,
                MovementReason.MOVEMENT_REASON_REDEMPTION_HOLD);
        assertThat(export.getRedemptionsCount()).isEqualTo(1);
        assertThat(export.getOpenRedeemTokensExpireAtCount()).isEqualTo(1);
        assertThat(export.getKeycloakSubject()).isNotEmpty();
    }

    @Test
    void periodTotalsCountWhatWasIssuedAndClawedBack() {
        RewardsInternalServiceBlockingStub service = BearerAuth.as(internal, DemoTokens.service());
        Enrolled pat = RewardsFixtures.enrolled(internal);
        TimeRange period = TimeRange.newBuilder().setStart(ProtoTime.timestamp(Instant.now().minusSeconds(3600)))
                .setEnd(ProtoTime.timestamp(Instant.now().plusSeconds(3600))).build();
        GetPeriodTotalsRequest request = GetPeriodTotalsRequest.newBuilder().setPeriod(period).build();
        PointTotals before = service.getPeriodTotals(request);
        String report = "report-" + UUID.randomUUID();
        service.awardPoints(award(report, pat.participantId(), 37));
        service.reverseAward(reverse(report));
        PointTotals after = service.getPeriodTotals(request);
        assertThat(after.getIssued() - before.getIssued()).isEqualTo(37);
        assertThat(after.getClawedBack() - before.getClawedBack()).isEqualTo(37);
        refused(() -> service.getPeriodTotals(GetPeriodTotalsRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
    }
}
