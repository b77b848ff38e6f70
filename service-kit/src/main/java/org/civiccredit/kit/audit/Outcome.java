package org.civiccredit.kit.audit;

/**
 * What a change that recognises its own replays did (one idempotent on its natural id, such as a report or
 * participant id, rather than through {@link org.civiccredit.kit.idempotency.IdempotentCalls}): its result, and
 * whether this call changed anything. A redelivery gets the first call's result with {@code changed} false, so
 * {@link AuditedCalls} audits the change once however often it is delivered.
 *
 * @param value the result, as a first call or a replay returns it
 * @param changed true when this call changed state; false when it found the change already made
 */
public record Outcome<T>(T value, boolean changed) {

    public static <T> Outcome<T> changed(T value) {
        return new Outcome<>(value, true);
    }

    public static <T> Outcome<T> unchanged(T value) {
        return new Outcome<>(value, false);
    }
}
