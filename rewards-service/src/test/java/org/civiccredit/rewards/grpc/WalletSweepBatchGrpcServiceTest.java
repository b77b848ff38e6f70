package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.LeastIncrease;
import org.civiccredit.rewards.grpc.AuditRows.Row;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.persistence.AwardLotEntity;
import org.civiccredit.rewards.service.CatchUpAudit;
import org.civiccredit.rewards.service.LedgerVerification;
import org.civiccredit.rewards.service.Participants;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.WalletSweeps;
import org.civiccredit.rewards.service.Wallets;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * The sweep catches wallets up together, many in one transaction ({@link Wallets#catchUpTogether}): each wallet
 * ends as catching it up alone would leave it (lots available or expired, postings, one audit entry per lot),
 * busy wallets are skipped and stay due, wallets holding overdue redemptions are left to a transaction of their
 * own, and a further wallet costs no statement of its own.
 */
@QuarkusTest
class WalletSweepBatchGrpcServiceTest {

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @GrpcClient("self")
    RedemptionServiceBlockingStub redemption;

    @Inject
    Wallets wallets;

    @Inject
    WalletSweeps sweeps;

    @Inject
    Redemptions redemptions;

    @Inject
    Participants participants;

    @Inject
    LedgerVerification verification;

    @Inject
    DataSource db;

    @Inject
    SessionFactory sessionFactory;

    /** A registered participant with one lot awarded {@code daysAgo} days ago, still pending. */
    private UUID withLotAwarded(int daysAgo) {
        String id = UUID.randomUUID().toString();
        participants.register(id, "subject-" + id);
        wallets.award("report-" + UUID.randomUUID(), id, 40, "LIBRARY_SHIFT", 1,
                Instant.now().minus(Duration.ofDays(daysAgo)));
        return UUID.fromString(id);
    }

    @Test
    void walletsCaughtUpTogetherEndAsEachCaughtUpAloneAndBusyOrHoldingOnesAreLeft() throws Exception {
        TestMerchant shop = RewardsFixtures.newMerchant(merchants);
        Offer offer = RewardsFixtures.publish(merchants, shop, RewardsFixtures.offer(10, 5));
        List<UUID> due = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            due.add(withLotAwarded(15));
        }
        UUID old = withLotAwarded(400);
        UUID holder = withLotAwarded(15);
        wallets.catchUp(holder, Instant.now());
        BearerAuth.as(redemption, shop.token()).reserveRedemption(ReserveRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString())
                .setRedeemToken(redemptions.issueToken(holder, "", Instant.now()).token())
                .setOfferId(offer.getOfferId()).build());
        UUID busy = withLotAwarded(15);
        List<UUID> all = new ArrayList<>(due);
        all.addAll(List.of(old, holder, busy));
        // Past the hold's TTL, so the holder's redemption is overdue.
        Instant now = Instant.now().plus(Duration.ofMinutes(11));
        AuditRows audit = new AuditRows(db);

        Wallets.Together[] together = new Wallets.Together[1];
        List<Row> entries;
        try (Connection other = db.getConnection()) {
            lockElsewhere(other, busy);
            entries = audit.appendedBy(() -> together[0] = wallets.catchUpTogether(all, now));
            other.rollback();
        }

        assertThat(together[0].caughtUp()).as("the four due wallets and the old one; not the busy one, nor the holder")
                .isEqualTo(5);
        assertThat(together[0].left()).as("the wallet with an overdue hold is left to a transaction of its own")
                .containsExactly(holder);
        due.forEach(p -> assertThat(states(p)).as("due lot made available").isEqualTo(Map.of("AVAILABLE", 1L)));
        assertThat(states(old)).as("a lot past its expiry").isEqualTo(Map.of("EXPIRED", 1L));
        assertThat(states(busy)).as("another transaction held it: skipped, still due")
                .isEqualTo(Map.of("PENDING", 1L));
        assertThat(entries).extracting(Row::action).containsExactlyInAnyOrder("catch-up:lot-available",
                "catch-up:lot-available", "catch-up:lot-available", "catch-up:lot-available", "catch-up:lot-expired");
        assertThat(entries).allSatisfy(row -> assertThat(row.actor()).isEqualTo(CatchUpAudit.SWEEP));
        assertThat(movements(all)).as("ledger movements per participant: the award, and the catch-up's own")
                .containsEntry(due.get(0), 2L).containsEntry(old, 2L).containsEntry(busy, 1L);
        assertThat(verification.verify(Instant.now()).balanced()).isTrue();

        audit.noEntryFrom(() -> assertThat(wallets.catchUpTogether(due, now).caughtUp())
                .as("caught up again: locked, nothing due").isEqualTo(4));
        sweeps.sweep(now);
        assertThat(states(busy)).as("no longer busy: the next sweep catches it up").isEqualTo(Map.of("AVAILABLE", 1L));
        assertThat(((Number) QuarkusTransaction.requiringNew().call(() -> AwardLotEntity.getEntityManager()
                .createNativeQuery("SELECT count(*) FROM redemption WHERE participant_id = ?1 AND state = 'EXPIRED'")
                .setParameter(1, holder).getSingleResult())).longValue())
                .as("the sweep expired the holder's redemption alone").isEqualTo(1);
        assertThat(verification.verify(Instant.now()).balanced()).isTrue();
    }

    @Test
    void catchingUpTogetherMakesNoStatementPerFurtherWallet() {
        LongSupplier prepared = sessionFactory.getStatistics()::getPrepareStatementCount;
        Instant now = Instant.now();
        long alone = LeastIncrease.of(5, prepared, () -> withLotAwarded(15), p -> wallets.catchUpUnlessBusy(p, now));
        List<UUID> caughtUp = new ArrayList<>();
        long one = LeastIncrease.of(5, prepared, () -> walletsDue(1), ps -> catchUpAll(ps, now, caughtUp));
        long twenty = LeastIncrease.of(5, prepared, () -> walletsDue(20), ps -> catchUpAll(ps, now, caughtUp));
        caughtUp.forEach(p -> assertThat(states(p)).isEqualTo(Map.of("AVAILABLE", 1L)));
        double perFurther = (twenty - one) / 19.0;
        System.out.printf("prepared statements: catching up one wallet alone %d, together 1 %d, 20 %d (%.2f per further"
                + " wallet)%n", alone, one, twenty, perFurther);
        // Locking, reading the due lots, updating them and writing postings and audit entries are one statement each
        // for all the wallets, the lot updates one JDBC batch (half a statement allowed for background work the least
        // of five did not avoid). One by one, each wallet costs what one alone costs (6 here) and a transaction.
        assertThat(one).as("together, one wallet costs what it costs alone").isLessThanOrEqualTo(alone);
        assertThat(perFurther).as("statements made once for all the wallets, not once per wallet")
                .isLessThanOrEqualTo(0.5);
    }

    private List<UUID> walletsDue(int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(withLotAwarded(15));
        }
        return ids;
    }

    private void catchUpAll(List<UUID> participantIds, Instant now, List<UUID> caughtUp) {
        assertThat(wallets.catchUpTogether(participantIds, now).caughtUp()).isEqualTo(participantIds.size());
        caughtUp.addAll(participantIds);
    }

    private static void lockElsewhere(Connection other, UUID participant) throws SQLException {
        other.setAutoCommit(false);
        try (PreparedStatement s = other.prepareStatement(
                "SELECT participant_id FROM participant WHERE participant_id = ? FOR UPDATE")) {
            s.setObject(1, participant);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
            }
        }
    }

    private Map<String, Long> states(UUID participant) {
        Map<String, Long> byState = new TreeMap<>();
        QuarkusTransaction.requiringNew().run(() -> AwardLotEntity.<AwardLotEntity>list("participantId", participant)
                .forEach(lot -> byState.merge(lot.state, 1L, Long::sum)));
        return byState;
    }

    private Map<UUID, Long> movements(List<UUID> participantIds) throws SQLException {
        Map<UUID, Long> counts = new TreeMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT participant_id, count(*) FROM ledger_movement WHERE participant_id = ANY (?) "
                        + "GROUP BY participant_id")) {
            s.setArray(1, c.createArrayOf("uuid", participantIds.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    counts.put(r.getObject(1, UUID.class), r.getLong(2));
                }
            }
        }
        return counts;
    }
}
