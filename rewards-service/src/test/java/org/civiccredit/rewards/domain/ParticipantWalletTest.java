package org.civiccredit.rewards.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The wallet's posting rules: lots, oldest-first spending, holds, expiry, reversal with shortfall. */
class ParticipantWalletTest {

    private static final Duration WINDOW = Duration.ofDays(14);
    private static final Duration LIFETIME = Duration.ofDays(365);
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final UUID participant = UUID.randomUUID();

    /** Balances implied by the postings, per account (credits minus debits). */
    private static Map<Account, Long> balances(List<Posting> postings) {
        Map<Account, Long> b = new HashMap<>();
        for (Posting p : postings) {
            b.merge(p.from(), -p.amount(), Long::sum);
            b.merge(p.to(), p.amount(), Long::sum);
        }
        return b;
    }

    /** Adds the postings to running balances and returns them. */
    private static Map<Account, Long> balances(List<Posting> postings, Map<Account, Long> b) {
        for (Posting p : postings) {
            b.merge(p.from(), -p.amount(), Long::sum);
            b.merge(p.to(), p.amount(), Long::sum);
        }
        return b;
    }

    private ParticipantWallet wallet(List<AwardLot> lots) {
        return new ParticipantWallet(participant, lots);
    }

    private static AwardLot award(ParticipantWallet w, String report, long points, Instant at) {
        return w.award(UUID.randomUUID(), report, points, "RULE", 1, at, WINDOW, LIFETIME);
    }

    @Test
    void anAwardIsPendingForTheContestWindowThenAvailable() {
        ParticipantWallet w = wallet(List.of());
        AwardLot lot = award(w, "r1", 50, T0);
        assertThat(lot.state()).isEqualTo(LotState.PENDING);
        assertThat(w.pending()).isEqualTo(50);

        w.catchUp(T0.plus(WINDOW).minusSeconds(1));
        assertThat(w.available()).isZero();
        w.catchUp(T0.plus(WINDOW));
        assertThat(lot.state()).isEqualTo(LotState.AVAILABLE);
        assertThat(w.available()).isEqualTo(50);
        assertThat(w.postings()).extracting(Posting::reason)
                .containsExactly(MovementReason.REPORT_AWARD, MovementReason.AWARD_AVAILABLE);
        Map<Account, Long> b = balances(w.postings());
        assertThat(b.get(Account.available(participant))).isEqualTo(50);
        assertThat(b.get(Account.pending(participant))).isZero();
        assertThat(b.get(Account.issuance())).isEqualTo(-50);
    }

    @Test
    void aFrozenLotStaysPendingUntilReleased() {
        ParticipantWallet w = wallet(List.of());
        AwardLot lot = award(w, "r1", 50, T0);
        assertThat(w.freeze(lot.lotId())).isTrue();
        w.catchUp(T0.plus(WINDOW).plusSeconds(60));
        assertThat(lot.state()).isEqualTo(LotState.PENDING);
        w.unfreeze(lot.lotId(), T0.plus(WINDOW).plusSeconds(61));
        assertThat(lot.state()).isEqualTo(LotState.AVAILABLE);
        assertThat(w.freeze(lot.lotId())).as("an available lot is not taken away before a decision").isFalse();
    }

    @Test
    void spendingTakesTheOldestLotsFirst() {
        ParticipantWallet w = wallet(List.of());
        AwardLot older = award(w, "r1", 30, T0);
        AwardLot newer = award(w, "r2", 30, T0.plusSeconds(3600));
        Instant now = T0.plus(WINDOW).plusSeconds(7200);
        List<Allocation> allocations = w.hold(40, "h1", now).orElseThrow();
        assertThat(allocations).containsExactly(new Allocation(older.lotId(), 30), new Allocation(newer.lotId(), 10));
        assertThat(older.state()).isEqualTo(LotState.SPENT);
        assertThat(newer.remaining()).isEqualTo(20);
        assertThat(w.available()).isEqualTo(20);
        assertThat(w.hold(21, "h2", now)).as("never below zero").isEmpty();
        assertThat(w.available()).isEqualTo(20);
    }

    @Test
    void aPartialCaptureSpendsTheOldestAndReturnsTheRest() {
        ParticipantWallet w = wallet(List.of());
        AwardLot older = award(w, "r1", 30, T0);
        AwardLot newer = award(w, "r2", 30, T0.plusSeconds(1));
        Instant now = T0.plus(WINDOW).plusSeconds(10);
        List<Allocation> allocations = w.hold(50, "h1", now).orElseThrow();
        w.settle(allocations, 35, "cafe", "h1", now);
        assertThat(older.spent()).isEqualTo(30);
        assertThat(newer.spent()).isEqualTo(5);
        assertThat(newer.remaining()).isEqualTo(25);
        assertThat(older.state()).isEqualTo(LotState.SPENT);
        Map<Account, Long> b = balances(w.postings());
        assertThat(b.get(Account.held(participant))).isZero();
        assertThat(b.get(Account.settlement("cafe"))).isEqualTo(35);
        assertThat(b.get(Account.available(participant))).isEqualTo(25);
    }

    @Test
    void aLotsRemainderExpiresAndHeldPointsOfAnExpiredLotExpireWhenReleased() {
        ParticipantWallet w = wallet(List.of());
        AwardLot lot = award(w, "r1", 100, T0);
        Instant usable = T0.plus(WINDOW);
        List<Allocation> held = w.hold(40, "h1", usable).orElseThrow();
        Instant expiry = T0.plus(LIFETIME);
        w.catchUp(expiry);
        assertThat(lot.state()).isEqualTo(LotState.EXPIRED);
        assertThat(lot.expired()).isEqualTo(60);
        assertThat(w.available()).isZero();

        w.release(held, "h1", expiry.plusSeconds(1));
        assertThat(lot.expired()).isEqualTo(100);
        assertThat(lot.remaining()).isZero();
        Map<Account, Long> b = balances(w.postings());
        assertThat(b.get(Account.expired())).isEqualTo(100);
        assertThat(b.get(Account.available(participant))).isZero();
        assertThat(b.get(Account.held(participant))).isZero();
    }

    @Test
    void aReversalTakesThePendingRemainderFirst() {
        ParticipantWallet w = wallet(List.of());
        AwardLot lot = award(w, "r1", 70, T0);
        Reversal r = w.reverse(lot.lotId(), 0, T0.plusSeconds(5));
        assertThat(r).isEqualTo(new Reversal(70, 0));
        assertThat(lot.state()).isEqualTo(LotState.REVERSED);
        assertThat(balances(w.postings()).get(Account.pending(participant))).isZero();
    }

    @Test
    void spentPointsAreClawedBackFromOtherAvailableLotsAndTheRestIsAShortfall() {
        ParticipantWallet w = wallet(List.of());
        AwardLot reversedLot = award(w, "r1", 100, T0);
        AwardLot other = award(w, "r2", 30, T0.plusSeconds(1));
        Instant now = T0.plus(WINDOW).plusSeconds(5);
        List<Allocation> a = w.hold(100, "h1", now).orElseThrow();
        w.settle(a, 100, "cafe", "h1", now);

        Reversal r = w.reverse(reversedLot.lotId(), 0, now);
        assertThat(r).isEqualTo(new Reversal(30, 70));
        assertThat(reversedLot.clawbackShortfall()).isEqualTo(70);
        assertThat(other.remaining()).isZero();
        assertThat(other.clawedBack()).isEqualTo(30);
        assertThat(w.available()).isZero();
        assertThat(balances(w.postings()).get(Account.available(participant))).isZero();
    }

    @Test
    void heldPointsOfAReversedLotAreAShortfallUntilTheyComeBackThenClawedBack() {
        ParticipantWallet w = wallet(List.of());
        AwardLot lot = award(w, "r1", 50, T0);
        Instant now = T0.plus(WINDOW);
        List<Allocation> held = w.hold(20, "h1", now).orElseThrow();
        Reversal r = w.reverse(lot.lotId(), 20, now);
        assertThat(r).isEqualTo(new Reversal(30, 20));

        w.release(held, "h1", now.plusSeconds(1));
        assertThat(lot.clawbackShortfall()).isZero();
        assertThat(lot.clawedBack()).isEqualTo(50);
        Map<Account, Long> b = balances(w.postings());
        assertThat(b.get(Account.available(participant))).isZero();
        assertThat(b.get(Account.issuance())).isZero();
    }

    @Test
    void forfeitingMovesEverythingToTheProgrammeAccount() {
        ParticipantWallet w = wallet(List.of());
        award(w, "r1", 40, T0);
        award(w, "r2", 10, T0.plus(WINDOW));
        w.catchUp(T0.plus(WINDOW));
        assertThat(w.forfeit()).isEqualTo(50);
        Map<Account, Long> b = balances(w.postings());
        assertThat(b.get(Account.expired())).isEqualTo(50);
        assertThat(b.get(Account.available(participant))).isZero();
        assertThat(b.get(Account.pending(participant))).isZero();
    }

    @Test
    void everyPostingIsPositiveBetweenTwoAccounts() {
        assertThatThrownBy(() -> new Posting(MovementReason.EXPIRY, 0, Account.issuance(), Account.expired(), ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Posting(MovementReason.EXPIRY, 5, Account.expired(), Account.expired(), ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomOperationsKeepLotsAndPostingsInAgreement() {
        long seed = 20_300_101L;
        java.util.Random random = new java.util.Random(seed);
        ParticipantWallet w = wallet(List.of());
        List<AwardLot> lots = new ArrayList<>();
        Map<String, List<Allocation>> open = new HashMap<>();
        Instant now = T0;
        Map<Account, Long> running = new HashMap<>();
        int counted = 0;
        for (int i = 0; i < 3000; i++) {
            now = now.plusSeconds(random.nextInt(86_400 * 3));
            int op = random.nextInt(10);
            if (op < 3) {
                lots.add(award(w, "r" + i, 1 + random.nextInt(100), now));
            } else if (op < 6) {
                String h = "h" + i;
                w.hold(1 + random.nextInt(80), h, now).ifPresent(a -> open.put(h, a));
            } else if (op < 8 && !open.isEmpty()) {
                String h = open.keySet().iterator().next();
                List<Allocation> a = open.remove(h);
                long held = a.stream().mapToLong(Allocation::points).sum();
                w.settle(a, random.nextInt((int) held + 1), "m", h, now);
            } else if (op == 8 && !lots.isEmpty()) {
                AwardLot lot = lots.get(random.nextInt(lots.size()));
                if (lot.state() != LotState.REVERSED) {
                    long heldFromLot = open.values().stream().flatMap(List::stream)
                            .filter(a -> a.lotId().equals(lot.lotId())).mapToLong(Allocation::points).sum();
                    w.reverse(lot.lotId(), heldFromLot, now);
                }
            } else {
                w.catchUp(now);
            }
            Map<Account, Long> b = balances(w.postings().subList(counted, w.postings().size()), running);
            counted = w.postings().size();
            long held = open.values().stream().flatMap(List::stream).mapToLong(Allocation::points).sum();
            assertThat(b.getOrDefault(Account.available(participant), 0L)).as("seed %d step %d", seed, i)
                    .isEqualTo(w.available()).isNotNegative();
            assertThat(b.getOrDefault(Account.pending(participant), 0L)).as("seed %d step %d", seed, i)
                    .isEqualTo(w.pending());
            assertThat(b.getOrDefault(Account.held(participant), 0L)).as("seed %d step %d", seed, i).isEqualTo(held);
            for (AwardLot lot : i % 50 == 0 || i == 2999 ? lots : List.<AwardLot>of()) {
                long heldFromLot = open.values().stream().flatMap(List::stream)
                        .filter(a -> a.lotId().equals(lot.lotId())).mapToLong(Allocation::points).sum();
                assertThat(lot.remaining() + heldFromLot + lot.spent() + lot.expired() + lot.clawedBack())
                        .as("seed %d step %d lot %s", seed, i, lot.reportId()).isEqualTo(lot.amount());
            }
        }
    }
}
