package org.civiccredit.kit.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.junit.jupiter.api.Test;

class ProtoTimeTest {

    private static Timestamp ts(long seconds, int nanos) {
        return Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    @Test
    void protobufsWholeRangeConvertsBothWays() {
        for (Instant i : new Instant[] {Instant.parse("0001-01-01T00:00:00Z"),
            Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("2026-11-30T14:00:00.5Z")}) {
            Violations v = new Violations();
            assertThat(ProtoTime.instant(ProtoTime.timestamp(i), "at", v)).isEqualTo(i);
            assertThat(ProtoTime.requireValid(ProtoTime.timestamp(i), "at")).isEqualTo(i);
            assertThat(v.isEmpty()).isTrue();
        }
    }

    @Test
    void aTimestampOutsideProtobufsRangeOrWithBadNanosIsAViolationOnItsField() {
        Timestamp[] bad = {ts(Long.MAX_VALUE, 0), ts(Long.MIN_VALUE, 0), ts(ProtoTime.MAX_SECONDS + 1, 0),
            ts(ProtoTime.MIN_SECONDS - 1, 0), ts(0, -1), ts(0, 1_000_000_000)};
        for (Timestamp t : bad) {
            Violations v = new Violations();
            assertThat(ProtoTime.instant(t, "period.start", v)).as(t.toString()).isNull();
            assertThatThrownBy(v::throwIfAny).isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.violations())
                    .containsExactly(new Refusal.FieldViolation("period.start", "not a valid timestamp")));
            assertThatThrownBy(() -> ProtoTime.requireValid(t, "occurred_at")).isInstanceOfSatisfying(Refusal.class,
                    r -> assertThat(r.violations())
                            .containsExactly(new Refusal.FieldViolation("occurred_at", "not a valid timestamp")));
        }
    }

    @Test
    void aDurationProtobufAllowsConvertsAndAnyOtherIsNone() {
        assertThat(ProtoTime.duration(Duration.newBuilder().setSeconds(3600).setNanos(5).build()))
                .isEqualTo(java.time.Duration.ofSeconds(3600, 5));
        assertThat(ProtoTime.duration(Duration.newBuilder().setSeconds(-3600).setNanos(-5).build()))
                .isEqualTo(java.time.Duration.ofSeconds(-3600, -5));
        assertThat(ProtoTime.duration(Duration.newBuilder().setSeconds(ProtoTime.MAX_DURATION_SECONDS).build()))
                .isEqualTo(java.time.Duration.ofSeconds(ProtoTime.MAX_DURATION_SECONDS));
        for (Duration bad : new Duration[] {Duration.newBuilder().setSeconds(Long.MIN_VALUE).setNanos(-1).build(),
            Duration.newBuilder().setSeconds(ProtoTime.MAX_DURATION_SECONDS + 1).build(),
            Duration.newBuilder().setSeconds(-ProtoTime.MAX_DURATION_SECONDS - 1).build(),
            Duration.newBuilder().setSeconds(3600).setNanos(-1).build(),
            Duration.newBuilder().setSeconds(-3600).setNanos(1).build(),
            Duration.newBuilder().setNanos(1_000_000_000).build()}) {
            assertThat(ProtoTime.duration(bad)).as(bad.toString()).isNull();
        }
    }
}
