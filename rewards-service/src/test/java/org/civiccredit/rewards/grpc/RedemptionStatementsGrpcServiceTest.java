package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.civiccredit.api.rewards.v1.CaptureRedemptionRequest;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.Redemption;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.LeastIncrease;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.service.Participants;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.Wallets;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * The statements a merchant's reserve and capture make, counted through the RPCs (the least of five tries, since
 * background work counts too). A reservation reads the offer, its merchant and the presented token in one
 * statement; it consumes the token and learns whether the participant holds a redemption past its TTL in one; it
 * inserts the redemption and its allocations in one. A capture finds and locks the redemption's participant in one,
 * then reads the redemption with its merchant and whether the participant holds a redemption past its TTL in one,
 * and takes the hold's allocations (reads and deletes them) in one. Before that a reservation made 12 statements and
 * a capture 11; before the fifteenth round 15 and 14.
 */
@QuarkusTest
class RedemptionStatementsGrpcServiceTest {

    @GrpcClient("self")
    RedemptionServiceBlockingStub redemption;

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @Inject
    Participants participants;

    @Inject
    Wallets wallets;

    @Inject
    Redemptions redemptions;

    @Inject
    SessionFactory sessionFactory;

    private ReserveRedemptionRequest reserve(String token, Offer offer) {
        return ReserveRedemptionRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setRedeemToken(token).setOfferId(offer.getOfferId()).build();
    }

    private static CaptureRedemptionRequest capture(Redemption held) {
        return CaptureRedemptionRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setRedemptionId(held.getRedemptionId()).build();
    }

    @Test
    void aReserveMakesTenStatementsAndACaptureNine() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(1, 1_000));
        UUID payer = UUID.randomUUID();
        participants.register(payer.toString(), "statements-" + payer);
        RewardsFixtures.spendable(wallets, payer.toString(), 100);
        RedemptionServiceBlockingStub asShop = BearerAuth.as(redemption, shop.token());
        LongSupplier prepared = sessionFactory.getStatistics()::getPrepareStatementCount;

        long reserve = LeastIncrease.of(5, prepared, () -> redemptions.issueToken(payer, "", Instant.now()).token(),
                token -> asShop.reserveRedemption(reserve(token, offer)));
        long capture = LeastIncrease.of(5, prepared, () -> asShop.reserveRedemption(
                reserve(redemptions.issueToken(payer, "", Instant.now()).token(), offer)),
                held -> assertThat(asShop.captureRedemption(capture(held)).getPointsCaptured()).isEqualTo(1));

        // Idempotency key, offer with merchant and token, participant lock, token (and overdue holds), lots,
        // redemption with its allocation, posting, lot, stock, audit entry with the stored response.
        assertThat(reserve).as("statements per reserve").isEqualTo(10);
        // Idempotency key, participant lock, redemption with merchant (and overdue holds), allocations taken, lots,
        // redemption, posting, audit entry with the stored response, lot.
        assertThat(capture).as("statements per capture").isEqualTo(9);
    }
}
