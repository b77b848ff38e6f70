package org.civiccredit.rewards.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The posting rules of one participant's wallet over their award lots: every change to a lot is matched by a
 * balanced {@link Posting}, so the lots always agree with the balances derived from the ledger.
 * <ul>
 * <li>Awards arrive pending and become available after the contest window (unless frozen).</li>
 * <li>A lot's remainder expires at its expiry, to the programme's expired account.</li>
 * <li>Spending (holds) takes the oldest lots first; captured points are spent; released points go back to their
 * lot, or expire at once if the lot has expired, or are clawed back at once if the lot was reversed.</li>
 * <li>A reversal claws back the lot's own remainder (pending or available), then what was spent from the lot
 * out of other available lots (oldest first), never below zero. Points of the lot held by open holds are a
 * shortfall until they come back (then they are clawed back) or are captured (then the shortfall stays);
 * points of the lot that expired are not recovered again.</li>
 * </ul>
 * The caller loads every lot the change can touch: every lot due at the time (pending past its contest window, or
 * past its expiry), every lot an allocation it settles refers to, and, to spend or to reverse, the oldest available
 * lots that cover the amount (a whole wallet for an erasure); see {@code WalletStore.loadFor}.
 */
public final class ParticipantWallet {

    private static final Comparator<AwardLot> OLDEST_FIRST =
            Comparator.comparing(AwardLot::awardedAt).thenComparing(AwardLot::lotId);

    private final UUID participantId;
    private final Map<UUID, AwardLot> lots = new LinkedHashMap<>();
    private final List<Posting> postings = new ArrayList<>();
    private List<AwardLot> ordered;

    public ParticipantWallet(UUID participantId, Collection<AwardLot> loaded) {
        this.participantId = participantId;
        loaded.stream().sorted(OLDEST_FIRST).forEach(l -> lots.put(l.lotId(), l));
    }

    public UUID participantId() {
        return participantId;
    }

    /** Every lot loaded or created, oldest first. */
    public List<AwardLot> lots() {
        if (ordered == null) {
            ordered = lots.values().stream().sorted(OLDEST_FIRST).toList();
        }
        return ordered;
    }

    /** Postings made since the wallet was loaded, in order. */
    public List<Posting> postings() {
        return List.copyOf(postings);
    }

    public Optional<AwardLot> lot(UUID lotId) {
        return Optional.ofNullable(lots.get(lotId));
    }

    /**
     * Spendable points: the remainders of the loaded available lots (when only the lots covering an amount are
     * loaded, this reaches the amount exactly when the whole wallet's does).
     */
    public long available() {
        return lots.values().stream().filter(l -> l.state() == LotState.AVAILABLE).mapToLong(AwardLot::remaining)
                .sum();
    }

    /** Points awarded and not yet spendable. */
    public long pending() {
        return lots.values().stream().filter(l -> l.state() == LotState.PENDING).mapToLong(AwardLot::remaining)
                .sum();
    }

    /** Awards points for a report: a new pending lot. */
    public AwardLot award(UUID lotId, String reportId, long points, String ruleCode, long ruleTableVersion,
            Instant now, Duration contestWindow, Duration lifetime) {
        if (points <= 0) {
            throw new IllegalArgumentException("an award is positive");
        }
        AwardLot lot = AwardLot.awarded(lotId, reportId, points, now, now.plus(contestWindow), now.plus(lifetime),
                ruleCode, ruleTableVersion);
        lots.put(lotId, lot);
        ordered = null;
        post(MovementReason.REPORT_AWARD, points, Account.issuance(), Account.pending(participantId), reportId);
        return lot;
    }

    /**
     * Brings the lots up to {@code now}: remainders past their expiry expire, pending lots past their
     * contest window (and not frozen) become available. Harmless to repeat.
     */
    public void catchUp(Instant now) {
        for (AwardLot lot : lots()) {
            if (!lot.state().open()) {
                continue;
            }
            if (lot.expiredAt(now)) {
                long points = lot.remaining();
                Account from = lot.remainderAccount(participantId);
                if (points > 0) {
                    lot.take(points);
                    post(MovementReason.EXPIRY, points, from, Account.expired(), lot.lotId().toString());
                }
                lot.addExpired(points);
            } else if (lot.dueAvailableAt(now)) {
                lot.makeAvailable();
                if (lot.remaining() > 0) {
                    post(MovementReason.AWARD_AVAILABLE, lot.remaining(), Account.pending(participantId),
                            Account.available(participantId), lot.lotId().toString());
                }
            }
        }
    }

    /**
     * Holds {@code cost} points for a redemption, oldest lots first; empty (and nothing changed) when the
     * available points do not cover it.
     */
    public Optional<List<Allocation>> hold(long cost, String redemptionId, Instant now) {
        if (cost <= 0) {
            throw new IllegalArgumentException("a hold is positive");
        }
        catchUp(now);
        if (available() < cost) {
            return Optional.empty();
        }
        List<Allocation> allocations = new ArrayList<>();
        long left = cost;
        for (AwardLot lot : lots()) {
            if (left == 0) {
                break;
            }
            if (lot.state() != LotState.AVAILABLE || lot.remaining() == 0) {
                continue;
            }
            long take = Math.min(left, lot.remaining());
            lot.take(take);
            allocations.add(new Allocation(lot.lotId(), take));
            left -= take;
        }
        post(MovementReason.REDEMPTION_HOLD, cost, Account.available(participantId), Account.held(participantId),
                redemptionId);
        return Optional.of(List.copyOf(allocations));
    }

    /**
     * Settles a hold: {@code captured} points (0..held) go to the merchant, taken from the oldest lots of the
     * hold first; the rest goes back to the participant.
     */
    public void settle(List<Allocation> allocations, long captured, String merchantId, String redemptionId,
            Instant now) {
        long held = allocations.stream().mapToLong(Allocation::points).sum();
        if (captured < 0 || captured > held) {
            throw new IllegalArgumentException("cannot capture " + captured + " of " + held + " held points");
        }
        catchUp(now);
        List<Allocation> ordered = allocations.stream()
                .sorted(Comparator.comparing((Allocation a) -> lotOf(a).awardedAt()).thenComparing(Allocation::lotId))
                .toList();
        if (captured > 0) {
            post(MovementReason.REDEMPTION_CAPTURE, captured, Account.held(participantId),
                    Account.settlement(merchantId), redemptionId);
        }
        if (held - captured > 0) {
            post(MovementReason.REDEMPTION_RELEASE, held - captured, Account.held(participantId),
                    Account.available(participantId), redemptionId);
        }
        long toCapture = captured;
        for (Allocation allocation : ordered) {
            AwardLot lot = lotOf(allocation);
            long take = Math.min(toCapture, allocation.points());
            toCapture -= take;
            if (take > 0) {
                lot.addSpent(take);
            }
            long back = allocation.points() - take;
            if (back > 0) {
                returnToLot(lot, back, now);
            }
        }
    }

    /** Releases a whole hold (void, expiry): every held point goes back. */
    public void release(List<Allocation> allocations, String redemptionId, Instant now) {
        settle(allocations, 0, "", redemptionId, now);
    }

    private void returnToLot(AwardLot lot, long points, Instant now) {
        if (lot.state() == LotState.REVERSED) {
            lot.recovered(points);
            post(MovementReason.REVERSAL, points, Account.available(participantId), Account.issuance(),
                    lot.reportId());
        } else if (lot.state() == LotState.EXPIRED || lot.expiredAt(now)) {
            lot.addExpired(points);
            post(MovementReason.EXPIRY, points, Account.available(participantId), Account.expired(),
                    lot.lotId().toString());
        } else {
            lot.putBack(points);
        }
    }

    /**
     * Reverses a lot's award (once; the caller checks it is not reversed yet).
     *
     * @param heldFromLot points of this lot that open holds hold now
     */
    public Reversal reverse(UUID lotId, long heldFromLot, Instant now) {
        catchUp(now);
        AwardLot lot = lots.get(lotId);
        if (lot == null || lot.state() == LotState.REVERSED) {
            throw new IllegalStateException("lot " + lotId + " is not loaded or already reversed");
        }
        long own = lot.remaining();
        if (own > 0) {
            Account from = lot.remainderAccount(participantId);
            lot.take(own);
            lot.addClawedBack(own);
            post(MovementReason.REVERSAL, own, from, Account.issuance(), lot.reportId());
        }
        long fromOthers = 0;
        long toRecover = lot.spent();
        for (AwardLot other : lots()) {
            if (fromOthers == toRecover) {
                break;
            }
            if (other == lot || other.state() != LotState.AVAILABLE || other.remaining() == 0) {
                continue;
            }
            long take = Math.min(toRecover - fromOthers, other.remaining());
            other.take(take);
            other.addClawedBack(take);
            fromOthers += take;
        }
        if (fromOthers > 0) {
            post(MovementReason.REVERSAL, fromOthers, Account.available(participantId), Account.issuance(),
                    lot.reportId());
        }
        long shortfall = heldFromLot + (toRecover - fromOthers);
        lot.reversed(shortfall);
        return new Reversal(own + fromOthers, shortfall);
    }

    /** Keeps a pending lot pending until released; an available or closed lot is left as it is. */
    public boolean freeze(UUID lotId) {
        AwardLot lot = lots.get(lotId);
        if (lot != null && lot.state() == LotState.PENDING && !lot.frozen()) {
            lot.freeze(true);
            return true;
        }
        return false;
    }

    /**
     * Lifts a freeze; the lot becomes available now if its contest window has passed. Returns false when the lot
     * was not frozen (nothing changed).
     */
    public boolean unfreeze(UUID lotId, Instant now) {
        AwardLot lot = lots.get(lotId);
        if (lot != null && lot.frozen()) {
            lot.freeze(false);
            catchUp(now);
            return true;
        }
        return false;
    }

    /**
     * Forfeits every pending and available point to the programme's expired account (withdrawal; open holds
     * must have been released first). Returns the points forfeited.
     */
    public long forfeit() {
        long pending = 0;
        long available = 0;
        for (AwardLot lot : lots()) {
            if (lot.state().open() && lot.remaining() > 0) {
                if (lot.state() == LotState.PENDING) {
                    pending += lot.remaining();
                } else {
                    available += lot.remaining();
                }
                long points = lot.remaining();
                lot.take(points);
                lot.addExpired(points);
            }
        }
        if (pending > 0) {
            post(MovementReason.WITHDRAWAL_FORFEIT, pending, Account.pending(participantId), Account.expired(), "");
        }
        if (available > 0) {
            post(MovementReason.WITHDRAWAL_FORFEIT, available, Account.available(participantId), Account.expired(),
                    "");
        }
        return pending + available;
    }

    private AwardLot lotOf(Allocation allocation) {
        AwardLot lot = lots.get(allocation.lotId());
        if (lot == null) {
            throw new IllegalStateException("lot " + allocation.lotId() + " of a hold is not loaded");
        }
        return lot;
    }

    private void post(MovementReason reason, long amount, Account from, Account to, String reference) {
        postings.add(new Posting(reason, amount, from, to, reference));
    }
}
