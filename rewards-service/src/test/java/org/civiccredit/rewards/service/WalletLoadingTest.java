package org.civiccredit.rewards.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.civiccredit.rewards.domain.LedgerCheck;
import org.civiccredit.rewards.domain.LotState;
import org.civiccredit.rewards.domain.Offer;
import org.civiccredit.rewards.domain.Redemption;
import org.civiccredit.rewards.domain.WalletView;
import org.civiccredit.rewards.grpc.AuditRows;
import org.civiccredit.rewards.persistence.AwardLotEntity;
import org.civiccredit.rewards.persistence.WalletStore;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/**
 * A wallet change reads only the lots it needs, however many open lots the wallet holds (issue 7): an award reads
 * none, a reservation reads the oldest available lots up to its cost (in batches, and still takes the oldest
 * lots first across a batch boundary, in the order PostgreSQL sorts them), a capture reads the lots of its
 * hold, and catching up makes due lots available or expired in one statement, with their postings and audit
 * entries. Counted with Hibernate's statistics (lots read as entities); the ledger verifies afterwards.
 */
@QuarkusTest
class WalletLoadingTest {

    private static final Duration CONTEST_WINDOW = Duration.ofDays(14);
    private static final Duration LOT_LIFETIME = Duration.ofDays(365);

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
    EntityManager em;

    @Inject
    SessionFactory sessionFactory;

    @Inject
    DataSource db;

    @Test
    void anAwardReadsNoneOfTheWalletsLots() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID who = participant();
        for (int i = 0; i < 40; i++) {
            award(who, 5, t0.plusSeconds(i));
        }
        Instant later = t0.plus(CONTEST_WINDOW).plusSeconds(60);
        wallets.catchUp(who, later);

        assertThat(lotsRead(() -> award(who, 7, later))).isZero();
        assertThat(lotsRead(() -> award(who, 3, later.plusSeconds(1)))).isZero();

        WalletView view = wallets.view(who, false, 0, later.plusSeconds(2));
        assertThat(view.available()).isEqualTo(200);
        assertThat(view.pending()).isEqualTo(10);
        assertThat(view.lots()).hasSize(42);
        assertBalanced(later.plusSeconds(2));
    }

    @Test
    void aReservationReadsTheOldestLotsUpToItsCostAndTakesThemOldestFirstAcrossBatches() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID who = participant();
        // Ten lots a second apart, then thirty awarded at the same instant: they are ordered by lot id, and the
        // batches of available lots end inside that group.
        for (int i = 0; i < 10; i++) {
            award(who, 1, t0.plusSeconds(i));
        }
        for (int i = 0; i < 30; i++) {
            award(who, 1, t0.plusSeconds(20));
        }
        String merchant = merchant();
        long cost = WalletStore.AVAILABLE_BATCH + 4;
        Offer offer = offers.publish(merchant, new Offers.Draft("Dinner", "", cost, "", 1_000, 0, null), t0);
        Instant t1 = t0.plus(CONTEST_WINDOW).plusSeconds(60);
        String token = redemptions.issueToken(who, "", t1).token();

        Redemption[] reserved = new Redemption[1];
        long read = lotsRead(() -> reserved[0] = redemptions.reserve(merchant, token, offer.offerId().toString(), t1));

        assertThat(read).as("lots read by the reservation").isLessThanOrEqualTo(2L * WalletStore.AVAILABLE_BATCH)
                .isLessThan(40);
        List<UUID> oldestFirst = lotIds("SELECT lot_id FROM award_lot WHERE participant_id = ?1 "
                + "ORDER BY awarded_at, lot_id", who);
        List<UUID> allocated = lotIds("SELECT lot_id FROM hold_allocation WHERE redemption_id = ?1",
                reserved[0].redemptionId());
        assertThat(allocated).containsExactlyInAnyOrderElementsOf(oldestFirst.subList(0, (int) cost));

        long captureRead = lotsRead(() -> redemptions.capture(merchant, reserved[0].redemptionId().toString(), 0,
                t1.plusSeconds(1)));
        assertThat(captureRead).as("lots read by the capture: those of the hold").isEqualTo(cost);

        WalletView view = wallets.view(who, true, 0, t1.plusSeconds(2));
        assertThat(view.available()).isEqualTo(40 - cost);
        assertThat(view.held()).isZero();
        assertThat(view.lots()).filteredOn(l -> l.state() == LotState.SPENT).extracting(l -> l.lotId())
                .containsExactlyInAnyOrderElementsOf(oldestFirst.subList(0, (int) cost));
        assertBalanced(t1.plusSeconds(2));
    }

    @Test
    void pointsOfAnExpiredHoldAreTakenFirstByTheNextReservation() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID who = participant();
        for (int i = 0; i < 2 * WalletStore.AVAILABLE_BATCH + 3; i++) {
            award(who, 1, t0.plusSeconds(i));
        }
        String merchant = merchant();
        Offer small = offers.publish(merchant, new Offers.Draft("Tea", "", 3, "", 1_000, 0, null), t0);
        Offer large = offers.publish(merchant, new Offers.Draft("Lunch", "", 5, "", 1_000, 0, null), t0);
        Instant t1 = t0.plus(CONTEST_WINDOW).plusSeconds(60);
        Redemption first = redemptions.reserve(merchant, redemptions.issueToken(who, "", t1).token(),
                small.offerId().toString(), t1);
        List<UUID> oldestFirst = lotIds("SELECT lot_id FROM award_lot WHERE participant_id = ?1 "
                + "ORDER BY awarded_at, lot_id", who);
        assertThat(lotIds("SELECT lot_id FROM hold_allocation WHERE redemption_id = ?1", first.redemptionId()))
                .containsExactlyInAnyOrderElementsOf(oldestFirst.subList(0, 3));

        // Past the first hold's TTL: the reservation expires it (its three points go back to the oldest lots)
        // and then takes the five oldest lots, those three among them.
        Instant t2 = t1.plus(Duration.ofMinutes(11));
        Redemption second = redemptions.reserve(merchant, redemptions.issueToken(who, "", t2).token(),
                large.offerId().toString(), t2);
        assertThat(lotIds("SELECT lot_id FROM hold_allocation WHERE redemption_id = ?1", second.redemptionId()))
                .containsExactlyInAnyOrderElementsOf(oldestFirst.subList(0, 5));
        WalletView view = wallets.view(who, false, 0, t2);
        assertThat(view.available()).isEqualTo(2L * WalletStore.AVAILABLE_BATCH + 3 - 5);
        assertThat(view.held()).isEqualTo(5);
        assertBalanced(t2);
    }

    @Test
    void dueLotsBecomeAvailableOrExpireInOneStatementWithTheirPostings() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID who = participant();
        List<String> reports = new ArrayList<>();
        reports.add(award(who, 10, t0));
        reports.add(award(who, 20, t0.plusSeconds(1)));
        reports.add(award(who, 30, t0.plusSeconds(2)));
        reports.add(award(who, 40, t0.plusSeconds(3)));
        wallets.freeze(reports.get(3), t0.plusSeconds(4));
        reports.add(award(who, 50, t0.plus(Duration.ofDays(10))));
        List<UUID> lots = reports.stream().map(r -> lotId(r)).toList();
        AuditRows audit = new AuditRows(db);

        // The first three lots' contest window passed; the frozen one stays pending, the last is not due yet.
        Instant t1 = t0.plus(CONTEST_WINDOW).plusSeconds(60);
        long mark = audit.last();
        long seq = lastMovement();
        assertThat(lotsRead(() -> wallets.catchUp(who, t1))).isZero();

        assertThat(movementsAfter(seq, who)).containsExactly(
                "AWARD_AVAILABLE 10 " + lots.get(0) + " PARTICIPANT_PENDING:-10 PARTICIPANT_AVAILABLE:10",
                "AWARD_AVAILABLE 20 " + lots.get(1) + " PARTICIPANT_PENDING:-20 PARTICIPANT_AVAILABLE:20",
                "AWARD_AVAILABLE 30 " + lots.get(2) + " PARTICIPANT_PENDING:-30 PARTICIPANT_AVAILABLE:30");
        assertThat(audit.after(mark)).extracting(AuditRows.Row::action).containsExactly("catch-up:lot-available",
                "catch-up:lot-available", "catch-up:lot-available");
        assertThat(audit.after(mark)).extracting(AuditRows.Row::refs).containsExactly(
                "lot_id=" + lots.get(0) + ",report_id=" + reports.get(0),
                "lot_id=" + lots.get(1) + ",report_id=" + reports.get(1),
                "lot_id=" + lots.get(2) + ",report_id=" + reports.get(2));
        WalletView view = wallets.view(who, false, 0, t1);
        assertThat(view.available()).isEqualTo(60);
        assertThat(view.pending()).isEqualTo(90);
        assertThat(view.lots()).extracting(l -> l.state()).containsExactly(LotState.AVAILABLE, LotState.AVAILABLE,
                LotState.AVAILABLE, LotState.PENDING, LotState.PENDING);
        assertBalanced(t1);
        // Nothing more is due: catching up again changes nothing.
        seq = lastMovement();
        wallets.catchUp(who, t1.plusSeconds(1));
        assertThat(movementsAfter(seq, who)).isEmpty();

        // A year on: the first four lots expire (three available, the frozen one pending) and the last becomes
        // available, in one statement.
        Instant t2 = t0.plus(LOT_LIFETIME).plusSeconds(60);
        mark = audit.last();
        seq = lastMovement();
        assertThat(lotsRead(() -> wallets.catchUp(who, t2))).isZero();
        assertThat(movementsAfter(seq, who)).containsExactly(
                "EXPIRY 10 " + lots.get(0) + " PARTICIPANT_AVAILABLE:-10 PROGRAM_EXPIRED:10",
                "EXPIRY 20 " + lots.get(1) + " PARTICIPANT_AVAILABLE:-20 PROGRAM_EXPIRED:20",
                "EXPIRY 30 " + lots.get(2) + " PARTICIPANT_AVAILABLE:-30 PROGRAM_EXPIRED:30",
                "EXPIRY 40 " + lots.get(3) + " PARTICIPANT_PENDING:-40 PROGRAM_EXPIRED:40",
                "AWARD_AVAILABLE 50 " + lots.get(4) + " PARTICIPANT_PENDING:-50 PARTICIPANT_AVAILABLE:50");
        assertThat(audit.after(mark)).extracting(AuditRows.Row::action).containsExactly("catch-up:lot-expired",
                "catch-up:lot-expired", "catch-up:lot-expired", "catch-up:lot-expired", "catch-up:lot-available");
        view = wallets.view(who, true, 0, t2);
        assertThat(view.available()).isEqualTo(50);
        assertThat(view.pending()).isZero();
        assertThat(view.lots()).extracting(l -> l.state()).containsExactly(LotState.EXPIRED, LotState.EXPIRED,
                LotState.EXPIRED, LotState.EXPIRED, LotState.AVAILABLE);
        assertThat(view.lots()).extracting(l -> l.expired()).containsExactly(10L, 20L, 30L, 40L, 0L);
        assertBalanced(t2);
    }

    private UUID participant() {
        UUID id = UUID.randomUUID();
        participants.register(id.toString(), "loading-" + id);
        return id;
    }

    private String merchant() {
        String id = "loading-" + UUID.randomUUID();
        merchants.register(id, "Loading shop", "client-" + id);
        return id;
    }

    private String award(UUID who, long points, Instant at) {
        String report = "loading-" + UUID.randomUUID();
        wallets.award(report, who.toString(), points, "RULE", 1, at);
        return report;
    }

    /** Award lots read as entities while {@code change} ran. */
    private long lotsRead(Runnable change) {
        Statistics statistics = sessionFactory.getStatistics();
        long before = statistics.getEntityStatistics(AwardLotEntity.class.getName()).getLoadCount();
        change.run();
        return statistics.getEntityStatistics(AwardLotEntity.class.getName()).getLoadCount() - before;
    }

    private UUID lotId(String report) {
        return lotIds("SELECT lot_id FROM award_lot WHERE report_id = ?1", report).get(0);
    }

    @SuppressWarnings("unchecked")
    private List<UUID> lotIds(String sql, Object parameter) {
        return ((List<Object>) em.createNativeQuery(sql).setParameter(1, parameter).getResultList()).stream()
                .map(o -> UUID.fromString(o.toString())).toList();
    }

    private long lastMovement() {
        return ((Number) em.createNativeQuery("SELECT coalesce(max(seq), 0) FROM ledger_movement").getSingleResult())
                .longValue();
    }

    /** The participant's movements after {@code seq}, in order, each with its entries. */
    @SuppressWarnings("unchecked")
    private List<String> movementsAfter(long seq, UUID who) {
        List<Object[]> rows = em.createNativeQuery("""
                SELECT m.reason || ' ' || m.amount || ' ' || m.reference || ' '
                       || string_agg(e.account_kind || ':' || e.amount
                                     || CASE WHEN e.owner_id IN ('', ?2) THEN '' ELSE '@' || e.owner_id END,
                                     ' ' ORDER BY e.line), m.seq
                FROM ledger_movement m JOIN ledger_entry e ON e.movement_id = m.movement_id
                WHERE m.seq > ?1 AND m.participant_id = ?3
                GROUP BY m.seq, m.reason, m.amount, m.reference ORDER BY m.seq""")
                .setParameter(1, seq).setParameter(2, who.toString()).setParameter(3, who).getResultList();
        return rows.stream().map(r -> (String) r[0]).toList();
    }

    private void assertBalanced(Instant now) {
        LedgerCheck check = verification.verify(now);
        assertThat(check.firstDiscrepancy()).isEmpty();
        assertThat(check.balanced()).isTrue();
    }
}
