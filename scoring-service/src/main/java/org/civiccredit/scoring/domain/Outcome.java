package org.civiccredit.scoring.domain;

/**
 * What a change idempotent on its natural id (a report or participant id) did: its result, and whether this
 * call changed anything. A redelivery gets the first call's result with {@code changed} false, so the change is
 * audited once however often it is delivered.
 *
 * @param result  what the caller is answered
 * @param changed true when this call changed state; false when it found the change already made
 */
public record Outcome<T>(T result, boolean changed) {

    public static <T> Outcome<T> changed(T result) {
        return new Outcome<>(result, true);
    }

    public static <T> Outcome<T> unchanged(T result) {
        return new Outcome<>(result, false);
    }
}
