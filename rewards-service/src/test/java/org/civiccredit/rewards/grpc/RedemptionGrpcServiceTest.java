package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.civiccredit.rewards.grpc.RewardsFixtures.refused;

import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.rewards.v1.CaptureRedemptionRequest;
import org.civiccredit.api.rewards.v1.GetSettlementStatementRequest;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc.LedgerServiceBlockingStub;
import org.civiccredit.api.rewards.v1.LimitPeriod;
import org.civiccredit.api.rewards.v1.ListMyRedemptionsRequest;
import org.civiccredit.api.rewards.v1.ListMyRedemptionsResponse;
import org.civiccredit.api.rewards.v1.ListOffersRequest;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.OfferState;
import org.civiccredit.api.rewards.v1.Redemption;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.RedemptionState;
import org.civiccredit.api.rewards.v1.ReinstateMerchantRequest;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.RetireOfferRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.rewards.v1.SettlementStatement;
import org.civiccredit.api.rewards.v1.SuspendMerchantRequest;
import org.civiccredit.api.rewards.v1.VerifyLedgerRequest;
import org.civiccredit.api.rewards.v1.VoidRedemptionRequest;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc.WalletServiceBlockingStub;
import org.civiccredit.kit.testing.AtOnce;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.grpc.WorkerCalls;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.rewards.config.RewardsConfig;
import org.civiccredit.rewards.grpc.RewardsFixtures.Enrolled;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.WalletSweeps;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * Two-phase redemption through the merchant's and the participant's RPCs: reserve, capture (full or partial),
 * void, hold expiry, one-time tokens, stock, limits and tiers, and what the merchant may learn.
 */
@QuarkusTest
class RedemptionGrpcServiceTest {

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

    @Inject
    WalletSweeps sweeps;

    @Inject
    EntityManager em;

    @Inject
    RewardsConfig config;

    @Inject
    WorkerCalls workers;

    private String token(Enrolled p) {
        return BearerAuth.as(wallet, p.token()).issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build()).getToken();
    }

    private static ReserveRedemptionRequest reserveRequest(String token, Offer offer) {
        return ReserveRedemptionRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setRedeemToken(token).setOfferId(offer.getOfferId()).build();
    }

    private Redemption reserve(TestMerchant m, String token, Offer offer) {
        return BearerAuth.as(redemption, m.token()).reserveRedemption(reserveRequest(token, offer));
    }

    private Redemption capture(TestMerchant m, Redemption r, long points) {
        return BearerAuth.as(redemption, m.token()).captureRedemption(CaptureRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedemptionId(r.getRedemptionId())
                .setPoints(points).build());
    }

    private Redemption voidIt(TestMerchant m, Redemption r) {
        return BearerAuth.as(redemption, m.token()).voidRedemption(VoidRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedemptionId(r.getRedemptionId()).build());
    }

    private Wallet walletOf(Enrolled p) {
        return BearerAuth.as(wallet, p.token()).getWallet(GetWalletRequest.getDefaultInstance());
    }

    private void assertLedgerBalances() {
        assertThat(BearerAuth.as(ledger, DemoTokens.adminClient()).verifyLedger(VerifyLedgerRequest.getDefaultInstance())
                .getBalanced()).isTrue();
    }

    @Test
    void aReservationHoldsTheCostAndACaptureSettlesItOnceWhateverIsReplayed() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(30, 100));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 100);

        ReserveRedemptionRequest request = reserveRequest(token(pat), offer);
        RedemptionServiceBlockingStub asCafe = BearerAuth.as(redemption, cafe.token());
        Redemption held = asCafe.reserveRedemption(request);
        assertThat(held.getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
        assertThat(held.getPointsHeld()).isEqualTo(30);
        assertThat(asCafe.reserveRedemption(request)).as("a replay returns the original").isEqualTo(held);
        refused(() -> asCafe.reserveRedemption(request.toBuilder().setOfferId(UUID.randomUUID().toString()).build()),
                Status.Code.ALREADY_EXISTS, "ALREADY_EXISTS");
        assertThat(walletOf(pat)).satisfies(w -> {
            assertThat(w.getAvailable()).isEqualTo(70);
            assertThat(w.getHeld()).isEqualTo(30);
        });

        CaptureRedemptionRequest captureRequest = CaptureRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedemptionId(held.getRedemptionId()).build();
        Redemption captured = asCafe.captureRedemption(captureRequest);
        assertThat(captured.getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_CAPTURED);
        assertThat(captured.getPointsCaptured()).isEqualTo(30);
        assertThat(captured.hasSettledAt()).isTrue();
        assertThat(asCafe.captureRedemption(captureRequest)).isEqualTo(captured);
        refused(() -> capture(cafe, held, 0), Status.Code.FAILED_PRECONDITION, "REDEMPTION_CAPTURED");
        refused(() -> voidIt(cafe, held), Status.Code.FAILED_PRECONDITION, "REDEMPTION_CAPTURED");
        assertThat(walletOf(pat)).satisfies(w -> {
            assertThat(w.getAvailable()).isEqualTo(70);
            assertThat(w.getHeld()).isZero();
        });
        assertLedgerBalances();
    }

    @Test
    void eachReservationCaptureAndVoidIsHandedToAWorkerThreadOnceAfterItsRoleIsChecked() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(30, 100));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 100);
        String first = token(pat);
        String second = token(pat);
        String third = token(pat);

        long before = workers.handedOver();
        Redemption held = reserve(cafe, first, offer);
        assertThat(capture(cafe, held, 0).getPointsCaptured()).isEqualTo(30);
        assertThat(voidIt(cafe, reserve(cafe, second, offer)).getState())
                .isEqualTo(RedemptionState.REDEMPTION_STATE_VOIDED);
        Throwable refusal = catchThrowable(() -> capture(cafe, held, -1));
        assertThat(RewardsFixtures.reason(refusal)).isEqualTo("INVALID_ARGUMENT");
        assertThat(RewardsFixtures.violatedFields(refusal)).containsExactly("points");
        assertThat(workers.handedOver() - before).isEqualTo(5);
        // A caller without the merchant role is refused on the event loop: no work is handed over, the token unused.
        refused(() -> BearerAuth.as(redemption, pat.token()).reserveRedemption(reserveRequest(third, offer)),
                Status.Code.PERMISSION_DENIED, null);
        assertThat(workers.handedOver() - before).isEqualTo(5);
        assertThat(reserve(cafe, third, offer).getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
        assertLedgerBalances();
    }

    @Test
    void aPartialCaptureReturnsTheRestAndAVoidReturnsEverythingAndTheStock() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(50, 2));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 120);

        Redemption partial = capture(cafe, reserve(cafe, token(pat), offer), 20);
        assertThat(partial.getPointsCaptured()).isEqualTo(20);
        assertThat(partial.getPointsReleased()).isEqualTo(30);
        assertThat(walletOf(pat).getAvailable()).isEqualTo(100);
        refused(() -> capture(cafe, reserve(cafe, token(pat), offer), 51), Status.Code.INVALID_ARGUMENT,
                "INVALID_ARGUMENT");

        Redemption open = BearerAuth.as(merchants, cafe.token()).listMyRedemptions(ListMyRedemptionsRequest
                .newBuilder().addStates(RedemptionState.REDEMPTION_STATE_HELD).build()).getRedemptionsList().stream()
                .filter(r -> r.getOfferId().equals(offer.getOfferId())).findFirst().orElseThrow();
        assertThat(ownOffer(cafe, offer).getStockRemaining()).isZero();
        Redemption voided = voidIt(cafe, open);
        assertThat(voided.getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_VOIDED);
        assertThat(voided.getPointsReleased()).isEqualTo(50);
        assertThat(voidIt(cafe, open)).as("voiding a voided redemption returns it unchanged").isEqualTo(voided);
        refused(() -> capture(cafe, open, 0), Status.Code.FAILED_PRECONDITION, "REDEMPTION_VOIDED");
        assertThat(ownOffer(cafe, offer).getStockRemaining()).isEqualTo(1);
        assertThat(walletOf(pat).getAvailable()).isEqualTo(100);
        assertLedgerBalances();
    }

    private Offer ownOffer(TestMerchant m, Offer offer) {
        return RewardsFixtures.ownOffer(merchants, m, offer);
    }

    @Test
    void aTokenIsConsumedOnlyByASuccessfulReservation() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(40, 10));
        Offer other = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(1, 10));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        String token = token(pat);

        refused(() -> reserve(cafe, token, offer), Status.Code.FAILED_PRECONDITION, "NOT_ELIGIBLE");
        RewardsFixtures.spendable(wallets, pat.participantId(), 41);
        reserve(cafe, token, offer);
        refused(() -> reserve(cafe, token, offer), Status.Code.FAILED_PRECONDITION, "TOKEN_USED");
        refused(() -> reserve(cafe, "not-a-token", offer), Status.Code.FAILED_PRECONDITION, "TOKEN_INVALID");

        String bound = BearerAuth.as(wallet, pat.token()).issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setOfferId(other.getOfferId()).build()).getToken();
        refused(() -> reserve(cafe, bound, offer), Status.Code.FAILED_PRECONDITION, "TOKEN_INVALID");

        String stale = redemptions.issueToken(pat.id(), "", Instant.now().minus(Duration.ofMinutes(6))).token();
        refused(() -> reserve(cafe, stale, other), Status.Code.FAILED_PRECONDITION, "TOKEN_EXPIRED");
        assertThat(reserve(cafe, bound, other).getPointsHeld()).isEqualTo(1);
    }

    @Test
    void aTokenReplayReturnsTheSameTokenAndRevealsNothing() {
        Enrolled pat = RewardsFixtures.enrolled(internal);
        IssueRedeemTokenRequest request = IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build();
        WalletServiceBlockingStub asPat = BearerAuth.as(wallet, pat.token());
        var first = asPat.issueRedeemToken(request);
        assertThat(asPat.issueRedeemToken(request)).isEqualTo(first);
        assertThat(first.getToken()).hasSizeGreaterThanOrEqualTo(22).doesNotContain(pat.participantId());
        assertThat(ProtoTime.timestamp(Instant.now().plus(Duration.ofMinutes(6))).getSeconds())
                .isGreaterThan(first.getExpiresAt().getSeconds());
    }

    @Test
    void theMerchantLearnsOnlyNotEligibleWhileTheParticipantLearnsWhy() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer pricey = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(500, 10));
        Offer oncePerDay = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(10, 10)
                .setLimitPerParticipant(1).setLimitPeriod(LimitPeriod.LIMIT_PERIOD_DAY));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 100);
        WalletServiceBlockingStub asPat = BearerAuth.as(wallet, pat.token());

        refused(() -> reserve(cafe, token(pat), pricey), Status.Code.FAILED_PRECONDITION, "NOT_ELIGIBLE");
        refused(() -> asPat.issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setOfferId(pricey.getOfferId()).build()),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_POINTS");

        reserve(cafe, token(pat), oncePerDay);
        refused(() -> reserve(cafe, token(pat), oncePerDay), Status.Code.FAILED_PRECONDITION, "NOT_ELIGIBLE");
        refused(() -> asPat.issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setOfferId(oncePerDay.getOfferId()).build()),
                Status.Code.FAILED_PRECONDITION, "LIMIT_REACHED");
        refused(() -> asPat.issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setOfferId(UUID.randomUUID().toString()).build()),
                Status.Code.NOT_FOUND, "NOT_FOUND");
    }

    /**
     * In this profile nothing listens where scoring-service is expected (see application.properties): a tier
     * cannot be checked, so nothing tier-gated is published, tokened or reserved, and nothing is held.
     */
    @Test
    void whileScoringCannotBeReachedNoTierGatedOfferIsPublishedOrRedeemed() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        refused(() -> RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10)
                .setMinimumTierName("Gold")), Status.Code.UNAVAILABLE, "SCORING_UNAVAILABLE");
        assertThat(BearerAuth.as(merchants, shop.token()).listOffers(ListOffersRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(100)).build()).getOffersList()).isEmpty();

        Offer goldOnly = offerPublishedEarlier(shop, "Gold");
        Offer anyone = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 100);
        String token = token(pat);
        refused(() -> reserve(shop, token, goldOnly), Status.Code.UNAVAILABLE, "SCORING_UNAVAILABLE");
        refused(() -> BearerAuth.as(wallet, pat.token()).issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setOfferId(goldOnly.getOfferId()).build()),
                Status.Code.UNAVAILABLE, "SCORING_UNAVAILABLE");
        assertThat(walletOf(pat)).satisfies(w -> {
            assertThat(w.getAvailable()).isEqualTo(100);
            assertThat(w.getHeld()).isZero();
        });
        assertThat(ownOffer(shop, goldOnly).getStockRemaining()).isEqualTo(10);
        assertThat(reserve(shop, token, anyone).getState()).as("the token was not consumed")
                .isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
    }

    /** A tier-gated offer as if published while scoring-service was reachable. */
    private Offer offerPublishedEarlier(TestMerchant m, String minimumTier) {
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                INSERT INTO offer (offer_id, merchant_id, title, description, points_cost, minimum_tier_name, stock,
                    stock_remaining, limit_per_participant, state, published_at)
                VALUES (?1, ?2, 'Lounge', '', 10, ?3, 10, 10, 0, 'ACTIVE', now())""")
                .setParameter(1, id).setParameter(2, m.merchantId()).setParameter(3, minimumTier).executeUpdate());
        return Offer.newBuilder().setOfferId(id.toString()).build();
    }

    @Test
    void stockRunsOutAndARetiredOfferTakesNoReservation() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer single = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(5, 1));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 50);
        reserve(cafe, token(pat), single);
        refused(() -> reserve(cafe, token(pat), single), Status.Code.FAILED_PRECONDITION, "OUT_OF_STOCK");

        Offer retired = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(5, 10));
        RetireOfferRequest retire = RetireOfferRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setOfferId(retired.getOfferId()).build();
        Offer after = BearerAuth.as(merchants, cafe.token()).retireOffer(retire);
        assertThat(after.getState()).isEqualTo(OfferState.OFFER_STATE_RETIRED);
        refused(() -> reserve(cafe, token(pat), retired), Status.Code.FAILED_PRECONDITION, "OFFER_RETIRED");
        assertThat(BearerAuth.as(merchants, pat.token()).listOffers(ListOffersRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(500)).build()).getOffersList())
                .extracting(Offer::getOfferId).doesNotContain(retired.getOfferId()).contains(single.getOfferId());
    }

    @Test
    void anotherMerchantsOffersAndRedemptionsDoNotExistForAMerchant() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer cafeOffer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(5, 10));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 50);
        String token = token(pat);
        refused(() -> reserve(shop, token, cafeOffer), Status.Code.NOT_FOUND, "NOT_FOUND");
        Redemption held = reserve(cafe, token, cafeOffer);
        refused(() -> capture(shop, held, 0), Status.Code.NOT_FOUND, "NOT_FOUND");
        refused(() -> voidIt(shop, held), Status.Code.NOT_FOUND, "NOT_FOUND");
        refused(() -> BearerAuth.as(merchants, shop.token()).retireOffer(RetireOfferRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setOfferId(cafeOffer.getOfferId()).build()),
                Status.Code.NOT_FOUND, "NOT_FOUND");
        assertThat(BearerAuth.as(merchants, shop.token()).listMyRedemptions(ListMyRedemptionsRequest
                .getDefaultInstance()).getRedemptionsList()).isEmpty();
        refused(() -> BearerAuth.as(wallet, cafe.token()).getWallet(GetWalletRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED, null);
    }

    @Test
    void aSuspendedMerchantCanNeitherReserveNorCaptureButItsHoldsCanBeVoided() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 50);
        Redemption held = reserve(shop, token(pat), offer);

        MerchantServiceBlockingStub admin = BearerAuth.as(merchants, DemoTokens.adminClient());
        admin.suspendMerchant(SuspendMerchantRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setMerchantId(shop.merchantId()).setReason("unpaid fees").build());
        refused(() -> reserve(shop, token(pat), offer), Status.Code.FAILED_PRECONDITION, "MERCHANT_SUSPENDED");
        refused(() -> capture(shop, held, 0), Status.Code.FAILED_PRECONDITION, "MERCHANT_SUSPENDED");
        refused(() -> RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(1, 1)),
                Status.Code.FAILED_PRECONDITION, "MERCHANT_SUSPENDED");
        assertThat(BearerAuth.as(merchants, pat.token()).listOffers(ListOffersRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(500)).build()).getOffersList())
                .extracting(Offer::getOfferId).doesNotContain(offer.getOfferId());
        assertThat(voidIt(shop, held).getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_VOIDED);
        assertThat(walletOf(pat).getAvailable()).isEqualTo(50);

        admin.reinstateMerchant(ReinstateMerchantRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setMerchantId(shop.merchantId()).build());
        assertThat(reserve(shop, token(pat), offer).getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
    }

    /** Moves a hold's reservation back by its whole TTL and a second: it is now past its TTL. */
    private void overdue(Redemption held) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                UPDATE redemption SET reserved_at = reserved_at - make_interval(secs => ?1),
                    hold_expires_at = hold_expires_at - make_interval(secs => ?1) WHERE redemption_id = ?2""")
                .setParameter(1, config.holdTtl().toSeconds() + 1)
                .setParameter(2, UUID.fromString(held.getRedemptionId())).executeUpdate());
    }

    /** How many times points of a redemption went back from held to available. */
    private long releasesOf(Redemption r) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM ledger_movement WHERE reference = ?1 "
                + "AND reason = 'REDEMPTION_RELEASE'").setParameter(1, r.getRedemptionId()).getSingleResult())
                .longValue();
    }

    @Test
    void aHoldPastItsTtlIsExpiredAtOnceBeforeAnySweep() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(25, 1));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 60);
        Instant start = Instant.now().minus(config.holdTtl()).minusSeconds(60);
        Redemption held = reserve(shop, token(pat), offer);
        overdue(held);

        refused(() -> capture(shop, held, 0), Status.Code.FAILED_PRECONDITION, "HOLD_EXPIRED");
        MerchantServiceBlockingStub asShop = BearerAuth.as(merchants, shop.token());
        Redemption listed = asShop.listMyRedemptions(ListMyRedemptionsRequest.getDefaultInstance()).getRedemptions(0);
        assertThat(listed.getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_EXPIRED);
        assertThat(listed.getPointsReleased()).isEqualTo(25);
        assertThat(asShop.listMyRedemptions(ListMyRedemptionsRequest.newBuilder()
                .addStates(RedemptionState.REDEMPTION_STATE_HELD).build()).getRedemptionsList()).isEmpty();
        assertThat(asShop.listMyRedemptions(ListMyRedemptionsRequest.newBuilder()
                .addStates(RedemptionState.REDEMPTION_STATE_EXPIRED).build()).getRedemptionsList())
                .containsExactly(listed);
        assertThat(asShop.getSettlementStatement(GetSettlementStatementRequest.newBuilder()
                .setPeriod(TimeRange.newBuilder().setStart(ProtoTime.timestamp(start))
                        .setEnd(ProtoTime.timestamp(Instant.now().plusSeconds(60)))).build()).getExpiredCount())
                .isEqualTo(1);
        assertThat(walletOf(pat)).as("no sweep has run: the wallet itself lets the hold go").satisfies(w -> {
            assertThat(w.getAvailable()).isEqualTo(60);
            assertThat(w.getHeld()).isZero();
        });
        assertThat(ownOffer(shop, offer).getStockRemaining()).isEqualTo(1);

        sweeps.sweep(Instant.now());
        assertThat(asShop.listMyRedemptions(ListMyRedemptionsRequest.getDefaultInstance()).getRedemptions(0))
                .as("as recorded, the same as it was shown").isEqualTo(listed);
        assertThat(voidIt(shop, held)).as("voiding an expired hold returns it unchanged").isEqualTo(listed);
        refused(() -> capture(shop, held, 0), Status.Code.FAILED_PRECONDITION, "HOLD_EXPIRED");
        assertThat(releasesOf(held)).isEqualTo(1);
        assertThat(walletOf(pat).getAvailable()).isEqualTo(60);
        assertLedgerBalances();
    }

    @Test
    void sweepsOfSeveralInstancesExpireAnOverdueHoldOnce() throws Exception {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 3));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 50);
        List<Redemption> holds = List.of(reserve(shop, token(pat), offer), reserve(shop, token(pat), offer),
                reserve(shop, token(pat), offer));
        holds.forEach(this::overdue);
        refused(() -> capture(shop, holds.get(0), 0), Status.Code.FAILED_PRECONDITION, "HOLD_EXPIRED");

        List<Callable<Integer>> instances = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            instances.add(() -> sweeps.sweep(Instant.now()));
        }
        AtOnce.all(instances);
        sweeps.sweep(Instant.now());
        assertThat(holds).allSatisfy(h -> assertThat(releasesOf(h)).as("points released once").isEqualTo(1));
        assertThat(walletOf(pat)).satisfies(w -> {
            assertThat(w.getAvailable()).isEqualTo(50);
            assertThat(w.getHeld()).isZero();
        });
        assertThat(ownOffer(shop, offer).getStockRemaining()).isEqualTo(3);
        assertLedgerBalances();
    }

    /**
     * A reservation and a capture read whether the participant holds a redemption past its TTL in a statement they
     * make anyway, and read the holds again only then: a hold past its TTL still comes back in the very transaction
     * that opens the wallet (no sweep runs in tests, and nothing else reads these wallets in between). A void of a hold
     * past its TTL expires it.
     */
    @Test
    void aReservationCaptureOrVoidExpiresTheParticipantsOverdueHoldsInItsOwnTransaction() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer small = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(25, 10));
        Offer large = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(50, 10));

        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 60);
        Redemption patsFirst = reserve(shop, token(pat), small);
        overdue(patsFirst);
        // 35 points are available unless the overdue hold's 25 come back first.
        assertThat(reserve(shop, token(pat), large).getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
        assertThat(releasesOf(patsFirst)).as("the reservation expired the overdue hold").isEqualTo(1);
        assertThat(walletOf(pat)).satisfies(w -> {
            assertThat(w.getAvailable()).isEqualTo(10);
            assertThat(w.getHeld()).isEqualTo(50);
        });

        Enrolled sam = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, sam.participantId(), 60);
        Redemption samsFirst = reserve(shop, token(sam), small);
        Redemption samsSecond = reserve(shop, token(sam), small);
        overdue(samsFirst);
        assertThat(capture(shop, samsSecond, 0).getPointsCaptured()).isEqualTo(25);
        assertThat(releasesOf(samsFirst)).as("the capture expired the other, overdue hold").isEqualTo(1);
        assertThat(walletOf(sam)).satisfies(w -> {
            assertThat(w.getAvailable()).isEqualTo(35);
            assertThat(w.getHeld()).isZero();
        });

        Enrolled kim = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, kim.participantId(), 30);
        Redemption kims = reserve(shop, token(kim), small);
        overdue(kims);
        assertThat(voidIt(shop, kims).getState()).as("a void of a hold past its TTL expires it")
                .isEqualTo(RedemptionState.REDEMPTION_STATE_EXPIRED);
        assertThat(releasesOf(kims)).isEqualTo(1);
        assertThat(walletOf(kim)).satisfies(w -> {
            assertThat(w.getAvailable()).isEqualTo(30);
            assertThat(w.getHeld()).isZero();
        });
        assertThat(ownOffer(shop, small).getStockRemaining()).as("three expired, one captured").isEqualTo(9);
        assertThat(ownOffer(shop, large).getStockRemaining()).isEqualTo(9);
        assertLedgerBalances();
    }

    @Test
    void aMerchantListsItsRedemptionsAndReadsItsSettlementStatement() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 100);
        Instant start = Instant.now().minusSeconds(60);
        Redemption captured = capture(shop, reserve(shop, token(pat), offer), 7);
        Redemption voided = voidIt(shop, reserve(shop, token(pat), offer));
        Redemption held = reserve(shop, token(pat), offer);

        MerchantServiceBlockingStub asShop = BearerAuth.as(merchants, shop.token());
        ListMyRedemptionsResponse first = asShop.listMyRedemptions(ListMyRedemptionsRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(2)).build());
        assertThat(first.getRedemptionsList()).extracting(Redemption::getRedemptionId)
                .containsExactly(held.getRedemptionId(), voided.getRedemptionId());
        ListMyRedemptionsResponse second = asShop.listMyRedemptions(ListMyRedemptionsRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(2).setPageToken(first.getNextPageToken())).build());
        assertThat(second.getRedemptionsList()).extracting(Redemption::getRedemptionId)
                .containsExactly(captured.getRedemptionId());
        assertThat(second.getNextPageToken()).isEmpty();
        refused(() -> asShop.listMyRedemptions(ListMyRedemptionsRequest.newBuilder()
                .addStates(RedemptionState.REDEMPTION_STATE_CAPTURED)
                .setPage(PageRequest.newBuilder().setPageSize(2).setPageToken(first.getNextPageToken())).build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
        assertThat(asShop.listMyRedemptions(ListMyRedemptionsRequest.newBuilder()
                .addStates(RedemptionState.REDEMPTION_STATE_CAPTURED).build()).getRedemptionsList())
                .extracting(Redemption::getRedemptionId).containsExactly(captured.getRedemptionId());

        TimeRange period = TimeRange.newBuilder().setStart(ProtoTime.timestamp(start))
                .setEnd(ProtoTime.timestamp(Instant.now().plusSeconds(60))).build();
        SettlementStatement statement = BearerAuth.as(merchants, shop.token()).getSettlementStatement(
                GetSettlementStatementRequest.newBuilder().setPeriod(period).build());
        assertThat(statement.getPointsCaptured()).isEqualTo(7);
        assertThat(statement.getCapturedCount()).isEqualTo(1);
        assertThat(statement.getPointsVoided()).isEqualTo(10);
        assertThat(statement.getVoidedCount()).isEqualTo(1);
        assertThat(statement.getExpiredCount()).isZero();
        refused(() -> BearerAuth.as(merchants, shop.token()).getSettlementStatement(
                GetSettlementStatementRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
        // A bound java.time cannot hold (INTERNAL before) or with nanos out of range (carried into the seconds and
        // answered before) is the caller's error.
        refused(() -> asShop.listMyRedemptions(ListMyRedemptionsRequest.newBuilder()
                .setReserved(TimeRange.newBuilder().setStart(com.google.protobuf.Timestamp.newBuilder()
                        .setSeconds(Long.MAX_VALUE))).build()), Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
        refused(() -> BearerAuth.as(merchants, shop.token()).getSettlementStatement(GetSettlementStatementRequest
                .newBuilder().setPeriod(period.toBuilder().setEnd(period.getEnd().toBuilder().setNanos(-1))).build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
    }

    @Test
    void onlyEnrolledParticipantsHaveAWalletOrIssueTokens() {
        refused(() -> BearerAuth.as(wallet, TestParticipants.create().token())
                .issueRedeemToken(IssueRedeemTokenRequest.newBuilder().setIdempotencyKey("k").build()),
                Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_ENROLLED");
        refused(() -> BearerAuth.as(redemption, DemoTokens.participantPat()).reserveRedemption(
                ReserveRedemptionRequest.newBuilder().setIdempotencyKey("k").setRedeemToken("t").setOfferId("o").build()),
                Status.Code.PERMISSION_DENIED, null);
    }
}
