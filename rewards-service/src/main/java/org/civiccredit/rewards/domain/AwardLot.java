package org.civiccredit.rewards.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Points awarded for one report, and where they went: {@code amount = remaining + held + spent + expired +
 * clawedBack}, where held is what open holds took from it. Changed only through {@link ParticipantWallet}.
 */
public final class AwardLot {

    private final UUID lotId;
    private final String reportId;
    private final long amount;
    private final Instant awardedAt;
    private final Instant availableFrom;
    private final Instant expiresAt;
    private final String ruleCode;
    private final long ruleTableVersion;
    private long remaining;
    private long spent;
    private long expired;
    private long clawedBack;
    private long clawbackShortfall;
    private LotState state;
    private boolean frozen;
    private boolean changed;

    public AwardLot(UUID lotId, String reportId, long amount, long remaining, long spent, long expired,
            long clawedBack, long clawbackShortfall, LotState state, boolean frozen, Instant awardedAt,
            Instant availableFrom, Instant expiresAt, String ruleCode, long ruleTableVersion) {
        this.lotId = Objects.requireNonNull(lotId);
        this.reportId = Objects.requireNonNull(reportId);
        this.amount = amount;
        this.remaining = remaining;
        this.spent = spent;
        this.expired = expired;
        this.clawedBack = clawedBack;
        this.clawbackShortfall = clawbackShortfall;
        this.state = Objects.requireNonNull(state);
        this.frozen = frozen;
        this.awardedAt = Objects.requireNonNull(awardedAt);
        this.availableFrom = Objects.requireNonNull(availableFrom);
        this.expiresAt = Objects.requireNonNull(expiresAt);
        this.ruleCode = Objects.requireNonNull(ruleCode);
        this.ruleTableVersion = ruleTableVersion;
    }

    /** A new pending lot. */
    static AwardLot awarded(UUID lotId, String reportId, long amount, Instant awardedAt, Instant availableFrom,
            Instant expiresAt, String ruleCode, long ruleTableVersion) {
        AwardLot lot = new AwardLot(lotId, reportId, amount, amount, 0, 0, 0, 0, LotState.PENDING, false, awardedAt,
                availableFrom, expiresAt, ruleCode, ruleTableVersion);
        lot.changed = true;
        return lot;
    }

    public UUID lotId() {
        return lotId;
    }

    public String reportId() {
        return reportId;
    }

    public long amount() {
        return amount;
    }

    public long remaining() {
        return remaining;
    }

    public long spent() {
        return spent;
    }

    public long expired() {
        return expired;
    }

    public long clawedBack() {
        return clawedBack;
    }

    public long clawbackShortfall() {
        return clawbackShortfall;
    }

    public LotState state() {
        return state;
    }

    public boolean frozen() {
        return frozen;
    }

    public Instant awardedAt() {
        return awardedAt;
    }

    public Instant availableFrom() {
        return availableFrom;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public String ruleCode() {
        return ruleCode;
    }

    public long ruleTableVersion() {
        return ruleTableVersion;
    }

    /** Whether anything about the lot changed since it was loaded (or it is new). */
    public boolean changed() {
        return changed;
    }

    /** Whether the lot's expiry has come at {@code now}. */
    boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** Whether a pending lot may become available at {@code now}. */
    boolean dueAvailableAt(Instant now) {
        return state == LotState.PENDING && !frozen && !now.isBefore(availableFrom);
    }

    /** The participant account the remainder sits in. */
    Account remainderAccount(UUID participantId) {
        return state == LotState.PENDING ? Account.pending(participantId) : Account.available(participantId);
    }

    /** The contest window passed: available (or spent, should nothing be left). */
    void makeAvailable() {
        state = remaining > 0 ? LotState.AVAILABLE : LotState.SPENT;
        changed = true;
    }

    /** Takes points out of the remainder; an available lot left with nothing is spent. */
    void take(long points) {
        if (points <= 0 || points > remaining) {
            throw new IllegalStateException("cannot take " + points + " from lot " + lotId + " with " + remaining);
        }
        remaining -= points;
        if (remaining == 0 && state == LotState.AVAILABLE) {
            state = LotState.SPENT;
        }
        changed = true;
    }

    /** Puts held points back into an unexpired, unreversed lot; it is available again. */
    void putBack(long points) {
        remaining += points;
        state = LotState.AVAILABLE;
        changed = true;
    }

    void addSpent(long points) {
        spent += points;
        changed = true;
    }

    /** Expires {@code points} (the remainder, or points returning to an expired lot). */
    void addExpired(long points) {
        expired += points;
        state = LotState.EXPIRED;
        changed = true;
    }

    void addClawedBack(long points) {
        clawedBack += points;
        changed = true;
    }

    void reversed(long shortfall) {
        state = LotState.REVERSED;
        frozen = false;
        clawbackShortfall = shortfall;
        changed = true;
    }

    /** Held points of a reversed lot came back and were clawed back: the shortfall shrinks. */
    void recovered(long points) {
        clawedBack += points;
        clawbackShortfall = Math.max(0, clawbackShortfall - points);
        changed = true;
    }

    void freeze(boolean value) {
        frozen = value;
        changed = true;
    }
}
