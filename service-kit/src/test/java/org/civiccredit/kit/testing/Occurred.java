package org.civiccredit.kit.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * When a reported occurrence happened, for a test about a participant it enrolled a moment ago. Reports-service
 * accepts reports about anything from the start of the (UTC) day the participant enrolled, so "an hour ago" is
 * refused between midnight and one o'clock UTC. {@link #ago} gives the time asked for once the day is old enough,
 * and before that squeezes every time a test may ask for into the part of today that has passed, in the same order.
 */
public final class Occurred {

    /** The longest time ago a test may ask for. */
    static final Duration LONGEST = Duration.ofHours(3);

    private Occurred() {
    }

    /** {@code ago} before now, or as far back within today in proportion; at most {@link #LONGEST}. */
    public static Instant ago(Duration ago) {
        return ago(ago, Instant.now());
    }

    static Instant ago(Duration ago, Instant now) {
        if (ago.isNegative() || ago.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException("between 0 and " + LONGEST + " ago, not " + ago);
        }
        long today = Duration.between(now.truncatedTo(ChronoUnit.DAYS), now).toMillis();
        if (today >= LONGEST.toMillis()) {
            return now.minus(ago);
        }
        return now.minusMillis(ago.toMillis() * today / LONGEST.toMillis());
    }
}
