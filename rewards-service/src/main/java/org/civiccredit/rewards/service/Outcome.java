package org.civiccredit.rewards.service;

/**
 * What a change that recognises its own replays did: its result, and whether it changed anything. A redelivered
 * award, or a freeze of a lot that is no longer pending, answers unchanged, so it is not audited a second time.
 *
 * @param value the result, as a first call or a replay returns it
 * @param changed whether this call changed state
 */
public record Outcome<T>(T value, boolean changed) {

    public static <T> Outcome<T> changed(T value) {
        return new Outcome<>(value, true);
    }

    public static <T> Outcome<T> unchanged(T value) {
        return new Outcome<>(value, false);
    }
}
