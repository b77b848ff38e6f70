package org.civiccredit.kit.grpc;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;

/** Conversions between java.time and the protobuf well-known time types. */
public final class ProtoTime {

    /** The range protobuf gives a Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z (and its nanos). */
    static final long MIN_SECONDS = -62_135_596_800L;
    static final long MAX_SECONDS = 253_402_300_799L;
    /** The range protobuf gives a Duration: ±315,576,000,000 s (10,000 years). */
    static final long MAX_DURATION_SECONDS = 315_576_000_000L;
    private static final String INVALID = "not a valid timestamp";

    private ProtoTime() {
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /**
     * A timestamp this system wrote (an outbox payload, a stored message); a caller's goes through
     * {@link #instant(Timestamp, String, Violations)} or {@link #requireValid(Timestamp, String)}.
     */
    public static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    /** Whether a caller's timestamp lies in protobuf's range, with nanos of 0 to 999,999,999. */
    private static boolean valid(Timestamp t) {
        return t.getSeconds() >= MIN_SECONDS && t.getSeconds() <= MAX_SECONDS && t.getNanos() >= 0
                && t.getNanos() <= 999_999_999;
    }

    /**
     * A caller's timestamp, or null and a violation on {@code field} when it is not valid: out of protobuf's range
     * (which java.time cannot always hold, so it would fail as an unexpected error) or with nanos out of range
     * (which java.time would silently carry into the seconds).
     */
    public static Instant instant(Timestamp t, String field, Violations v) {
        if (!valid(t)) {
            v.add(field, INVALID);
            return null;
        }
        return instant(t);
    }

    /** A caller's timestamp; INVALID_ARGUMENT on {@code field} when it is not valid. */
    public static Instant requireValid(Timestamp t, String field) {
        if (!valid(t)) {
            throw Refusal.invalid(field, INVALID);
        }
        return instant(t);
    }

    /**
     * A caller's duration, or null when protobuf does not allow it: beyond 10,000 years either way, or nanos out of
     * -999,999,999..999,999,999 or of the other sign than the seconds (java.time would overflow on some, and carry the
     * others' nanos into the seconds).
     */
    public static java.time.Duration duration(Duration d) {
        long s = d.getSeconds();
        int n = d.getNanos();
        boolean valid = s >= -MAX_DURATION_SECONDS && s <= MAX_DURATION_SECONDS && n >= -999_999_999
                && n <= 999_999_999 && (s == 0 || n == 0 || (s > 0) == (n > 0));
        return valid ? java.time.Duration.ofSeconds(s, n) : null;
    }
}
