package org.civiccredit.rewards.domain;

import java.util.Objects;

/** One movement of points from one account to another: recorded as a debit and an equal credit. */
public record Posting(MovementReason reason, long amount, Account from, Account to, String reference) {

    public Posting {
        Objects.requireNonNull(reason);
        Objects.requireNonNull(from);
        Objects.requireNonNull(to);
        Objects.requireNonNull(reference);
        if (amount <= 0) {
            throw new IllegalArgumentException("a posting moves a positive amount, not " + amount);
        }
        if (from.equals(to)) {
            throw new IllegalArgumentException("a posting moves points between two different accounts");
        }
    }
}
