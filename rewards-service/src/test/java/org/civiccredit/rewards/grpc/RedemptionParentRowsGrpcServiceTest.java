package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.Redemption;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.RedemptionState;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.rewards.domain.Allocation;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.persistence.RedemptionEntity;
import org.civiccredit.rewards.persistence.WalletStore;
import org.civiccredit.rewards.service.Participants;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * A reservation names its offer and merchant without locking their rows (no foreign key check takes FOR KEY SHARE
 * on the rows every concurrent reservation of the offer names; migration V6): the only lock it takes on them is
 * the offer's stock update, at its end. What the foreign keys guaranteed holds by construction: a redemption is
 * inserted only from an offer row of its merchant, offers and merchants are never deleted nor re-keyed, and a
 * redemption's offer and merchant never change.
 */
@QuarkusTest
class RedemptionParentRowsGrpcServiceTest {

    private static final String RESTRICT_VIOLATION = "23001";

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
    WalletStore store;

    @Inject
    DataSource db;

    @Test
    void aReservationLocksNeitherItsMerchantNorItsOfferBeforeItTakesTheStock() throws Exception {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(1, 1_000));
        UUID payer = payer(10);
        RedemptionServiceBlockingStub asShop = BearerAuth.as(redemption, shop.token());

        try (Connection other = db.getConnection()) {
            lock(other, "SELECT 1 FROM merchant WHERE merchant_id = ? FOR UPDATE", shop.merchantId());
            Redemption held = asShop.withDeadlineAfter(10, TimeUnit.SECONDS).reserveRedemption(reserve(payer, offer));
            assertThat(held.getState()).as("reserved while another transaction holds the merchant's row")
                    .isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
            other.rollback();
        }

        try (Connection other = db.getConnection()) {
            lock(other, "SELECT 1 FROM offer WHERE offer_id = ? FOR UPDATE", UUID.fromString(offer.getOfferId()));
            CompletableFuture<Redemption> reserving = CompletableFuture.supplyAsync(() ->
                    asShop.withDeadlineAfter(20, TimeUnit.SECONDS).reserveRedemption(reserve(payer, offer)));
            assertThat(waitingStatement(other)).as("the reservation's first wait on the offer is its stock update")
                    .startsWith("UPDATE offer SET stock_remaining = stock_remaining - 1");
            other.rollback();
            assertThat(reserving.get(20, TimeUnit.SECONDS).getState()).isEqualTo(RedemptionState.REDEMPTION_STATE_HELD);
        }
    }

    @Test
    void aRedemptionIsInsertedOnlyFromAnOfferOfItsMerchant() {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(1, 1_000));
        UUID payer = payer(1);
        RedemptionEntity r = new RedemptionEntity();
        r.redemptionId = UUID.randomUUID();
        r.merchantId = cafe.merchantId();
        r.offerId = UUID.fromString(offer.getOfferId());
        r.offerTitle = offer.getTitle();
        r.participantId = payer;
        r.pointsHeld = 1;
        r.state = "HELD";
        r.reservedAt = Instant.now();
        r.holdExpiresAt = r.reservedAt.plus(Duration.ofMinutes(10));
        List<Allocation> allocations = List.of(new Allocation(UUID.randomUUID(), 1));

        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> store.insertHold(r, allocations)))
                .as("another merchant's offer").isInstanceOf(IllegalStateException.class);
        r.merchantId = shop.merchantId();
        r.offerId = UUID.randomUUID();
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> store.insertHold(r, allocations)))
                .as("no such offer").isInstanceOf(IllegalStateException.class);
        assertThat(QuarkusTransaction.requiringNew().call(() -> RedemptionEntity.count("redemptionId", r.redemptionId)))
                .isZero();
    }

    @Test
    void offersAndMerchantsAreNeverDeletedNorReKeyedAndARedemptionKeepsItsOfferAndMerchant() throws Exception {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(1, 1_000));
        UUID offerId = UUID.fromString(offer.getOfferId());
        Redemption held = BearerAuth.as(redemption, shop.token()).reserveRedemption(reserve(payer(1), offer));
        UUID redemptionId = UUID.fromString(held.getRedemptionId());

        List<String> refused = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(true);
            for (Change change : List.of(
                    new Change("DELETE FROM offer WHERE offer_id = ?", offerId),
                    new Change("UPDATE offer SET merchant_id = ? WHERE offer_id = ?", cafe.merchantId(), offerId),
                    new Change("UPDATE offer SET offer_id = ? WHERE offer_id = ?", UUID.randomUUID(), offerId),
                    new Change("TRUNCATE offer"),
                    new Change("DELETE FROM merchant WHERE merchant_id = ?", shop.merchantId()),
                    new Change("UPDATE merchant SET merchant_id = ? WHERE merchant_id = ?", "renamed-" + UUID.randomUUID(),
                            shop.merchantId()),
                    new Change("UPDATE redemption SET offer_id = ? WHERE redemption_id = ?", UUID.randomUUID(),
                            redemptionId),
                    new Change("UPDATE redemption SET merchant_id = ? WHERE redemption_id = ?", cafe.merchantId(),
                            redemptionId))) {
                try {
                    change.run(c);
                } catch (SQLException e) {
                    if (RESTRICT_VIOLATION.equals(e.getSQLState())) {
                        refused.add(change.sql());
                    } else {
                        throw e;
                    }
                }
            }
            assertThat(refused).as("every change refused").hasSize(8);
            // What may change still does: the offer's own columns, and a redemption's state.
            assertThat(new Change("UPDATE offer SET title = title, merchant_id = merchant_id WHERE offer_id = ?",
                    offerId).run(c)).isEqualTo(1);
            assertThat(new Change("UPDATE redemption SET offer_id = offer_id, state = state WHERE redemption_id = ?",
                    redemptionId).run(c)).isEqualTo(1);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM redemption r JOIN offer o USING (offer_id, merchant_id) "
                            + "WHERE r.redemption_id = '" + redemptionId + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("the redemption still names its offer of its merchant").isEqualTo(1);
            }
        }
    }

    private UUID payer(long points) {
        UUID payer = UUID.randomUUID();
        participants.register(payer.toString(), "parent-rows-" + payer);
        RewardsFixtures.spendable(wallets, payer.toString(), points);
        return payer;
    }

    private ReserveRedemptionRequest reserve(UUID payer, Offer offer) {
        return ReserveRedemptionRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setRedeemToken(redemptions.issueToken(payer, "", Instant.now()).token())
                .setOfferId(offer.getOfferId()).build();
    }

    private static void lock(Connection other, String sql, Object key) throws SQLException {
        other.setAutoCommit(false);
        try (PreparedStatement s = other.prepareStatement(sql)) {
            s.setObject(1, key);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
            }
        }
    }

    /**
     * The statement of the first session found waiting for a lock that {@code holder}'s backend holds. Read from
     * another connection outside a transaction: a transaction sees pg_stat_activity as it was when it first read it.
     */
    private String waitingStatement(Connection holder) throws Exception {
        int holderPid;
        try (Statement s = holder.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            assertThat(r.next()).isTrue();
            holderPid = r.getInt(1);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        try (Connection watcher = db.getConnection(); PreparedStatement s = watcher.prepareStatement(
                "SELECT query FROM pg_stat_activity WHERE ? = ANY (pg_blocking_pids(pid))")) {
            watcher.setAutoCommit(true);
            s.setInt(1, holderPid);
            while (System.nanoTime() < deadline) {
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        return r.getString(1);
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("no session waited for the lock within 15 s");
    }

    private record Change(String sql, Object... params) {
        int run(Connection c) throws SQLException {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    s.setObject(i + 1, params[i]);
                }
                return s.executeUpdate();
            }
        }
    }
}
