package org.civiccredit.rewards.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.civiccredit.rewards.domain.Allocation;
import org.civiccredit.rewards.domain.Offer;
import org.civiccredit.rewards.domain.Redemption;
import org.civiccredit.rewards.persistence.AwardLotEntity;
import org.civiccredit.rewards.persistence.WalletStore;
import org.hibernate.Session;
import org.hibernate.engine.spi.EntityKey;
import org.junit.jupiter.api.Test;

/**
 * A reservation loads only the lots it can touch: those due to become available or to expire, and the oldest
 * available lots that cover its cost; a capture only its hold's lots (and the due ones). So their cost does not
 * grow with a wallet's open lots, and they still spend oldest first, catch the whole wallet up and refuse when the
 * whole wallet's points do not cover the cost.
 */
@QuarkusTest
class SpendingLoadsCoveringLotsTest {

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
    WalletStore store;

    @Inject
    LedgerVerification verification;

    @Inject
    EntityManager em;

    @Test
    void reservationsAndCapturesLoadTheLotsTheyUseNotTheWholeWallet() {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String merchant = "covering-" + UUID.randomUUID();
        merchants.register(merchant, "Covering shop", "client-" + merchant);
        Offer lunch = offers.publish(merchant, new Offers.Draft("Lunch", "", 12, "", 1_000, 0, null), start);
        Offer bike = offers.publish(merchant, new Offers.Draft("Bike", "", 100, "", 1_000, 0, null), start);
        Offer boat = offers.publish(merchant, new Offers.Draft("Boat", "", 10_000, "", 1_000, 0, null), start);
        UUID participant = UUID.randomUUID();
        participants.register(participant.toString(), "covering-" + participant);
        // 40 available lots of 5 points, oldest first in the order awarded.
        List<UUID> oldestFirst = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String report = "report-" + UUID.randomUUID();
            wallets.award(report, participant.toString(), 5, "LIBRARY_SHIFT", 1,
                    start.minus(Duration.ofDays(20)).plus(Duration.ofMinutes(i)));
            oldestFirst.add(store.lotForReport(report).orElseThrow().lotId);
        }
        wallets.catchUp(participant, start);
        // One lot due to become available (past its window, not caught up), and one pending and not due.
        wallets.award("report-" + UUID.randomUUID(), participant.toString(), 5, "LIBRARY_SHIFT", 1,
                start.minus(Duration.ofDays(19)));
        wallets.award("report-" + UUID.randomUUID(), participant.toString(), 5, "LIBRARY_SHIFT", 1, start);
        assertThat(LotStates.of(participant)).containsEntry("AVAILABLE", 40L).containsEntry("PENDING", 2L);

        String token = redemptions.issueToken(participant, "", start).token();
        Object[] reserved = QuarkusTransaction.requiringNew().call(() -> new Object[] {
                redemptions.reserve(merchant, token, lunch.offerId().toString(), start), lotsInSession() });
        Redemption held = (Redemption) reserved[0];
        assertThat((Long) reserved[1]).as("lots the reservation loaded (42 open; 3 cover 12 points, 1 is due)")
                .isLessThanOrEqualTo(4L);
        assertThat(allocations(held, oldestFirst)).as("held from the oldest lots").containsExactly(
                new Allocation(oldestFirst.get(0), 5), new Allocation(oldestFirst.get(1), 5),
                new Allocation(oldestFirst.get(2), 2));
        assertThat(LotStates.of(participant)).as("the due lot was caught up all the same (two lots are wholly held)")
                .containsEntry("AVAILABLE", 39L).containsEntry("SPENT", 2L).containsEntry("PENDING", 1L);

        long captureLoaded = QuarkusTransaction.requiringNew().call(() -> {
            redemptions.capture(merchant, held.redemptionId().toString(), 0, start.plusSeconds(1));
            return lotsInSession();
        });
        assertThat(captureLoaded).as("lots the capture loaded (its hold's)").isLessThanOrEqualTo(3L);

        // 100 points need more than one page of oldest lots: 20 lots, after the 3 points left in the third one.
        String second = redemptions.issueToken(participant, "", start).token();
        Redemption bikeHeld = redemptions.reserve(merchant, second, bike.offerId().toString(), start.plusSeconds(2));
        List<Allocation> bikeLots = allocations(bikeHeld, oldestFirst);
        assertThat(bikeLots.stream().mapToLong(Allocation::points).sum()).isEqualTo(100);
        assertThat(bikeLots.stream().map(Allocation::lotId).toList())
                .containsExactlyInAnyOrderElementsOf(oldestFirst.subList(2, 23));

        // The whole wallet does not cover 10,000 points: refused, though every available lot had to be read.
        String third = redemptions.issueToken(participant, "", start).token();
        assertThatThrownBy(() -> redemptions.reserve(merchant, third, boat.offerId().toString(), start.plusSeconds(3)))
                .hasMessageContaining("may not redeem");
        assertThat(verification.verify(start.plusSeconds(4)).balanced()).isTrue();
    }

    private long lotsInSession() {
        return em.unwrap(Session.class).getStatistics().getEntityKeys().stream()
                .filter(k -> ((EntityKey) k).getEntityName().equals(AwardLotEntity.class.getName())).count();
    }

    /** A hold's allocations, in the order of {@code lots}. */
    private List<Allocation> allocations(Redemption r, List<UUID> lots) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "SELECT lot_id, points FROM hold_allocation WHERE redemption_id = ?1")
                .setParameter(1, r.redemptionId()).getResultList());
        return rows.stream().map(row -> new Allocation((UUID) row[0], ((Number) row[1]).longValue()))
                .sorted(Comparator.comparingInt(a -> lots.indexOf(a.lotId()))).toList();
    }
}
