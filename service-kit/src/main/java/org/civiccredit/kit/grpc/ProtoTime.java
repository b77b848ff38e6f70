package org.civiccredit.kit.grpc;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Conversions between java.time and the protobuf well-known time types. */
public final class ProtoTime {

    private ProtoTime() {
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}
