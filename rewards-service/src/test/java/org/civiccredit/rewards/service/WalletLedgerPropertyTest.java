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
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.rewards.domain.AwardLot;
import org.civiccredit.rewards.domain.LedgerCheck;
import org.civiccredit.rewards.domain.LimitPeriod;
import org.civiccredit.rewards.domain.LotState;
import org.civiccredit.rewards.domain.Offer;
import org.civiccredit.rewards.domain.Redemption;
import org.civiccredit.rewards.domain.RedemptionState;
import org.civiccredit.rewards.domain.WalletView;
import org.junit.jupiter.api.Test;

/**
 * Property-style run against the real database (a @QuarkusTest driving the services directly, with its own
 * clock): thousands of random awards, reversals, freezes, reservations, full and partial captures, voids and
 * expiries across a handful of participants; afterwards, and every few hundred operations, the whole ledger
 * verifies and every wallet's balances equal its lots and open holds, none negative. The seed is fixed and
 * printed on failure; {@code -Drewards.property.seed=...} replays another.
 */
@QuarkusTest
class WalletLedgerPropertyTest {

    private static final long SEED = Long.getLong("rewards.property.seed", 20_261_128L);
    private static final int OPERATIONS = 2500;
    private static final int PARTICIPANTS = 5;
    private static final Set<String> EXPECTED_REFUSALS = Set.of("NOT_ELIGIBLE", "HOLD_EXPIRED", "REDEMPTION_VOIDED",
            "REDEMPTION_CAPTURED", "INSUFFICIENT_POINTS", "LIMIT_REACHED");

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

    @Test
    void theLedgerBalancesAfterThousandsOfRandomOperations() {
        try {
            run(new Random(SEED));
        } catch (Throwable t) {
            throw new AssertionError("property run failed with seed " + SEED + " (replay: -Drewards.property.seed="
                    + SEED + "): " + t.getMessage(), t);
        }
    }

    private void run(Random random) {
        String merchantId = "prop-" + UUID.randomUUID();
        merchants.register(merchantId, "Property shop", "client-" + merchantId);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<Offer> shelf = List.of(
                offers.publish(merchantId, new Offers.Draft("Tea", "", 5, "", 1_000_000, 0, null), now),
                offers.publish(merchantId, new Offers.Draft("Lunch", "", 25, "", 1_000_000, 3, LimitPeriod.WEEK), now),
                offers.publish(merchantId, new Offers.Draft("Bike repair", "", 80, "", 1_000_000, 0, null), now));
        List<UUID> people = new ArrayList<>();
        for (int i = 0; i < PARTICIPANTS; i++) {
            UUID id = UUID.randomUUID();
            participants.register(id.toString(), "property-" + id);
            people.add(id);
        }
        List<String> reports = new ArrayList<>();
        List<Redemption> open = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();

        for (int i = 0; i < OPERATIONS; i++) {
            now = advance(now, random);
            UUID who = people.get(random.nextInt(people.size()));
            int op = random.nextInt(100);
            String done;
            try {
                if (op < 25) {
                    String report = "prop-" + SEED + "-" + UUID.randomUUID();
                    wallets.award(report, who.toString(), 1 + random.nextInt(120), "RULE", 1, now);
                    reports.add(report);
                    done = "award";
                } else if (op < 30 && !reports.isEmpty()) {
                    String report = reports.get(random.nextInt(reports.size()));
                    wallets.reverse(report, "overturned", now);
                    done = "reverse";
                } else if (op < 33 && !reports.isEmpty()) {
                    String report = reports.get(random.nextInt(reports.size()));
                    if (random.nextBoolean()) {
                        wallets.freeze(report, now);
                        done = "freeze";
                    } else {
                        wallets.release(report, now);
                        done = "release";
                    }
                } else if (op < 58) {
                    Offer offer = shelf.get(random.nextInt(shelf.size()));
                    String token = redemptions.issueToken(who, "", now).token();
                    open.add(redemptions.reserve(merchantId, token, offer.offerId().toString(), now));
                    done = "reserve";
                } else if (op < 73 && !open.isEmpty()) {
                    Redemption r = open.remove(pick(open, random));
                    long points = random.nextBoolean() ? 0 : 1 + random.nextInt((int) r.pointsHeld());
                    redemptions.capture(merchantId, r.redemptionId().toString(), points, now);
                    done = points == 0 ? "capture-full" : "capture-partial";
                } else if (op < 83 && !open.isEmpty()) {
                    Redemption r = open.remove(pick(open, random));
                    redemptions.voidHold(merchantId, r.redemptionId().toString(), now);
                    done = "void";
                } else if (op < 93) {
                    wallets.catchUp(who, now);
                    done = "catch-up";
                } else {
                    Offer offer = shelf.get(random.nextInt(shelf.size()));
                    redemptions.issueToken(who, offer.offerId().toString(), now);
                    done = "token-for-offer";
                }
            } catch (Refusal refusal) {
                assertThat(EXPECTED_REFUSALS).as("operation %d refused unexpectedly: %s", i, refusal.getMessage())
                        .contains(refusal.reason());
                done = "refused:" + refusal.reason();
            }
            counts.merge(done, 1, Integer::sum);
            if (i % 500 == 499) {
                checkInvariants(people, now, i);
            }
        }
        checkInvariants(people, now, OPERATIONS);
        @SuppressWarnings("unchecked")
        List<Object[]> reasons = em.createNativeQuery("SELECT reason, count(*) FROM ledger_movement "
                + "WHERE participant_id IN (?1, ?2, ?3, ?4, ?5) GROUP BY reason ORDER BY reason")
                .setParameter(1, people.get(0)).setParameter(2, people.get(1)).setParameter(3, people.get(2))
                .setParameter(4, people.get(3)).setParameter(5, people.get(4)).getResultList();
        Map<String, Object> movements = new TreeMap<>();
        reasons.forEach(r -> movements.put((String) r[0], r[1]));
        System.out.printf("wallet property run, seed %d: operations %s; movements %s%n", SEED, counts, movements);
        assertThat(movements).containsKeys("EXPIRY", "AWARD_AVAILABLE", "REDEMPTION_RELEASE", "REVERSAL");
        assertThat(counts).containsKeys("award", "reserve", "capture-full", "capture-partial", "void", "reverse");
    }

    /** Usually the latest hold (settled within its TTL), sometimes any (possibly expired meanwhile). */
    private static int pick(List<Redemption> open, Random random) {
        return random.nextInt(10) < 7 ? open.size() - 1 : random.nextInt(open.size());
    }

    /** Mostly seconds to minutes; sometimes days (lots become available, holds expire); rarely most of a year. */
    private static Instant advance(Instant now, Random random) {
        int roll = random.nextInt(1000);
        if (roll < 3) {
            return now.plus(Duration.ofDays(150 + random.nextInt(200)));
        }
        if (roll < 30) {
            return now.plus(Duration.ofDays(1 + random.nextInt(20)));
        }
        return now.plusSeconds(random.nextInt(150));
    }

    private void checkInvariants(List<UUID> people, Instant now, int step) {
        LedgerCheck check = verification.verify(now);
        assertThat(check.firstDiscrepancy()).as("step %d: %s", step, check.firstDiscrepancy()).isEmpty();
        assertThat(check.balanced()).as("step %d", step).isTrue();
        for (UUID id : people) {
            WalletView w = wallets.view(id, true, 0, now);
            long available = w.lots().stream().filter(l -> l.state() == LotState.AVAILABLE)
                    .mapToLong(AwardLot::remaining).sum();
            long pending = w.lots().stream().filter(l -> l.state() == LotState.PENDING)
                    .mapToLong(AwardLot::remaining).sum();
            long held = ((Number) em.createNativeQuery("SELECT coalesce(sum(points_held), 0) FROM redemption "
                    + "WHERE participant_id = ?1 AND state = ?2").setParameter(1, id)
                    .setParameter(2, RedemptionState.HELD.name()).getSingleResult()).longValue();
            assertThat(w.available()).as("step %d available of %s", step, id).isNotNegative().isEqualTo(available);
            assertThat(w.pending()).as("step %d pending of %s", step, id).isNotNegative().isEqualTo(pending);
            assertThat(w.held()).as("step %d held of %s", step, id).isNotNegative().isEqualTo(held);
            for (AwardLot lot : w.lots()) {
                assertThat(lot.remaining()).as("step %d lot %s", step, lot.reportId()).isNotNegative();
            }
        }
    }
}
