package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.civiccredit.rewards.grpc.RewardsFixtures.refused;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.ListMyRedemptionsRequest;
import org.civiccredit.api.rewards.v1.ListOffersRequest;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.RedemptionState;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc.WalletServiceBlockingStub;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc.ScoreServiceBlockingStub;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.ForgedTokens;
import org.civiccredit.rewards.grpc.RewardsFixtures.Enrolled;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * Tier-gated offers checked against scoring-service (the {@link ScoringStandIn} on a real port, which accepts only
 * a Keycloak-signed service token): a minimum tier must be a tier of the current rule table, and a participant
 * below it is NOT_ELIGIBLE to the merchant with nothing held, while one at or above it reserves.
 */
@QuarkusTest
@TestProfile(TierGatedOfferGrpcServiceTest.WithScoring.class)
class TierGatedOfferGrpcServiceTest {

    /** The service with its scoring client aimed at the stand-in. */
    public static class WithScoring implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ScoringStandIn.class));
        }
    }

    @GrpcClient("self")
    RedemptionServiceBlockingStub redemption;

    @GrpcClient("self")
    WalletServiceBlockingStub wallet;

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internal;

    @Inject
    Wallets wallets;

    private final String silver = "Silver-" + UUID.randomUUID();
    private final String gold = "Gold-" + UUID.randomUUID();

    private String token(Enrolled p) {
        return BearerAuth.as(wallet, p.token()).issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build()).getToken();
    }

    private RedemptionState reserve(TestMerchant m, String token, Offer offer) {
        return BearerAuth.as(redemption, m.token()).reserveRedemption(ReserveRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedeemToken(token)
                .setOfferId(offer.getOfferId()).build()).getState();
    }

    private Enrolled withPoints(long points) {
        Enrolled p = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, p.participantId(), points);
        return p;
    }

    @Test
    void theStandInTakesOnlyWhatScoringServiceWouldTake() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", ScoringStandIn.port()).usePlaintext()
                .build();
        try {
            ScoreServiceBlockingStub scores = ScoreServiceGrpc.newBlockingStub(channel);
            GetScoreRequest request = GetScoreRequest.newBuilder().setParticipantId(UUID.randomUUID().toString()).build();
            refused(() -> scores.getScore(request), Status.Code.UNAUTHENTICATED, null);
            refused(() -> BearerAuth.as(scores, ForgedTokens.resignedWithForeignKey(DemoTokens.service()))
                    .getScore(request), Status.Code.UNAUTHENTICATED, null);
            refused(() -> BearerAuth.as(scores, ForgedTokens.withTamperedClaims(DemoTokens.service()))
                    .getScore(request), Status.Code.UNAUTHENTICATED, null);
            refused(() -> BearerAuth.as(scores, DemoTokens.merchantCornerCafe()).getScore(request),
                    Status.Code.PERMISSION_DENIED, null);
            refused(() -> BearerAuth.as(scores, DemoTokens.service()).getScore(request), Status.Code.NOT_FOUND, null);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMinimumTierMustBeATierOfTheCurrentRuleTable() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        ScoringStandIn.publish(Map.of(silver, 100L, gold, 500L));
        String title = "Lounge " + UUID.randomUUID();

        assertThatThrownBy(() -> RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10)
                .setTitle(title).setMinimumTierName("Platinum")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(RewardsFixtures.violatedFields(e)).containsExactly("minimum_tier_name");
                });
        assertThat(BearerAuth.as(merchants, shop.token()).listOffers(ListOffersRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(100)).build()).getOffersList())
                .as("a refused offer is not published").isEmpty();

        assertThat(RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10).setMinimumTierName(gold))
                .getMinimumTierName()).isEqualTo(gold);
        String platinum = "Platinum-" + UUID.randomUUID();
        ScoringStandIn.publish(Map.of(silver, 100L, platinum, 900L));
        assertThat(RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10)
                .setMinimumTierName(platinum)).getMinimumTierName())
                .as("a newly published table counts at once").isEqualTo(platinum);
        refused(() -> RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10)
                .setMinimumTierName(gold)), Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
    }

    @Test
    void aParticipantBelowTheMinimumTierIsNotEligibleAndNothingIsHeld() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        ScoringStandIn.publish(Map.of(silver, 100L, gold, 500L));
        Offer goldOnly = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 3)
                .setMinimumTierName(gold));
        Enrolled silverMember = withPoints(100);
        ScoringStandIn.score(silverMember.participantId(), 499);
        Enrolled belowEveryTier = withPoints(100);
        ScoringStandIn.score(belowEveryTier.participantId(), 20);
        Enrolled unknownToScoring = withPoints(100);

        for (Enrolled p : List.of(silverMember, belowEveryTier, unknownToScoring)) {
            refused(() -> reserve(shop, token(p), goldOnly), Status.Code.FAILED_PRECONDITION, "NOT_ELIGIBLE");
            refused(() -> BearerAuth.as(wallet, p.token()).issueRedeemToken(IssueRedeemTokenRequest.newBuilder()
                    .setIdempotencyKey(UUID.randomUUID().toString()).setOfferId(goldOnly.getOfferId()).build()),
                    Status.Code.FAILED_PRECONDITION, "TIER_TOO_LOW");
            Wallet w = BearerAuth.as(wallet, p.token()).getWallet(GetWalletRequest.getDefaultInstance());
            assertThat(w.getAvailable()).isEqualTo(100);
            assertThat(w.getHeld()).isZero();
        }
        assertThat(RewardsFixtures.ownOffer(merchants, shop, goldOnly).getStockRemaining()).isEqualTo(3);
        assertThat(BearerAuth.as(merchants, shop.token()).listMyRedemptions(ListMyRedemptionsRequest
                .getDefaultInstance()).getRedemptionsList()).isEmpty();
        assertThat(ScoringStandIn.callsAbout(silverMember.participantId())).isNotEmpty()
                .allSatisfy(c -> assertThat(c).isEqualTo(new ScoringStandIn.Call("GetScore",
                        silverMember.participantId(), "rewards-service")));
    }

    @Test
    void aParticipantAtOrAboveTheMinimumTierReservesAndTheirTierIsReadAfreshEachTime() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        ScoringStandIn.publish(Map.of(silver, 100L, gold, 500L));
        Offer goldOnly = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10)
                .setMinimumTierName(gold));
        Offer silverOnly = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10)
                .setMinimumTierName(silver));
        Enrolled atGold = withPoints(100);
        ScoringStandIn.score(atGold.participantId(), 500);
        Enrolled rising = withPoints(100);
        ScoringStandIn.score(rising.participantId(), 450);

        assertThat(reserve(shop, token(atGold), goldOnly)).isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
        assertThat(reserve(shop, token(atGold), silverOnly)).as("above the minimum")
                .isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);

        String token = token(rising);
        refused(() -> reserve(shop, token, goldOnly), Status.Code.FAILED_PRECONDITION, "NOT_ELIGIBLE");
        ScoringStandIn.score(rising.participantId(), 510);
        assertThat(reserve(shop, token, goldOnly)).as("the refusal consumed nothing; the new tier counts at once")
                .isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
        assertThat(BearerAuth.as(wallet, rising.token()).getWallet(GetWalletRequest.getDefaultInstance()).getHeld())
                .isEqualTo(10);
    }

    @Test
    void anOfferWithoutAMinimumTierAsksScoringNothing() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer anyone = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 10));
        Enrolled pat = withPoints(100);
        assertThat(reserve(shop, token(pat), anyone)).isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
        assertThat(ScoringStandIn.callsAbout(pat.participantId())).isEmpty();
    }
}
