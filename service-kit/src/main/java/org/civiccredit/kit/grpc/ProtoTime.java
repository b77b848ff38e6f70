package org.civiccredit.kit.grpc;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;

/** Conversions between java.time and the protobuf well-known time types. */
public final class ProtoTime {

    /** The range protobuf gives a Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z (and its nanos). */
    static final long MIN_SECONDS = -62_135_596_800L;
    static final long MAX_SECONDS = 253_402_300_799L;
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
    public static boolean valid(Timestamp t) {
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
}
