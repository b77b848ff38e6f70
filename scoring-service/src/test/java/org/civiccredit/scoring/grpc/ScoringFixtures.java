package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.api.scoring.v1.Tier;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TestParticipants;

/** Rule tables, participants, reports and refusal checks shared by the score tests. */
public final class ScoringFixtures {

    public static final long DAY_SECONDS = 24 * 3600;

    /** Per hour: +5, at most 8 hours per report, 10 points per hour, at most 50 per day. */
    public static final String VOL = "T_VOL_HOUR";
    /** Fixed +10, 4 points, at most 50 per day (the concurrency rule). */
    public static final String SHIFT = "T_SHIFT";
    /** Fixed -10 (program conduct), at most 30 per week. */
    public static final String MISSED = "T_MISSED_SHIFT";
    /** Fixed +7 that counts for one day only. */
    public static final String BRIEF = "T_BRIEF";

    private ScoringFixtures() {
    }

    /** Publishes a table with the test rules and tiers Bronze 50, Silver 200; returns its version. */
    public static long publishTestTable(RuleTableServiceBlockingStub ruleTables) {
        Duration year = Duration.newBuilder().setSeconds(365 * DAY_SECONDS).build();
        Rule vol = Rule.newBuilder().setCode(VOL).setCategory(ConductCategory.VOLUNTEERING)
                .setTitle("Volunteering hours").setScoreDelta(5).setPerUnit(true).setUnitCap(8).setUnitName("hour")
                .setAwardPoints(10).setCapPerPeriod(50).setCapPeriod(CapPeriod.CAP_PERIOD_DAY).setCountsFor(year)
                .build();
        Rule shift = Rule.newBuilder().setCode(SHIFT).setCategory(ConductCategory.COMMUNITY_IMPROVEMENT)
                .setTitle("Library shift").setScoreDelta(10).setAwardPoints(4).setCapPerPeriod(50)
                .setCapPeriod(CapPeriod.CAP_PERIOD_DAY).setCountsFor(year).build();
        Rule missed = Rule.newBuilder().setCode(MISSED).setCategory(ConductCategory.PROGRAM_CONDUCT)
                .setTitle("Committed shift missed without notice").setScoreDelta(-10).setCapPerPeriod(30)
                .setCapPeriod(CapPeriod.CAP_PERIOD_WEEK).setCountsFor(year).build();
        Rule brief = Rule.newBuilder().setCode(BRIEF).setCategory(ConductCategory.ENVIRONMENT)
                .setTitle("Litter pick").setScoreDelta(7).setAwardPoints(1).setCapPerPeriod(70)
                .setCapPeriod(CapPeriod.CAP_PERIOD_MONTH)
                .setCountsFor(Duration.newBuilder().setSeconds(DAY_SECONDS)).build();
        return BearerAuth.as(ruleTables, DemoTokens.adminClient()).publishRuleTable(PublishRuleTableRequest
                .newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .addAllRules(List.of(vol, shift, missed, brief))
                .addTiers(Tier.newBuilder().setName("Bronze").setThreshold(50))
                .addTiers(Tier.newBuilder().setName("Silver").setThreshold(200))
                .setNotes("score tests").build()).getVersion();
    }

    /** A new participant user in Keycloak, registered here under a new participant id, with their token. */
    public record Enrolled(String participantId, String token) {
    }

    public static Enrolled enrol(ScoringInternalServiceBlockingStub internal) {
        TestParticipants.TestUser user = TestParticipants.create();
        return new Enrolled(register(internal, user.userId()), user.token());
    }

    /** Publishes a table with the test rules, {@code extra} rules and the given tiers; returns its version. */
    public static long publishTable(RuleTableServiceBlockingStub ruleTables, List<Rule> extra, Tier... tiers) {
        return BearerAuth.as(ruleTables, DemoTokens.adminClient()).publishRuleTable(PublishRuleTableRequest
                .newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .addAllRules(extra).addAllTiers(List.of(tiers)).setNotes("score tests").build()).getVersion();
    }

    /** A fixed positive rule (community improvement) that counts for {@code countsFor}. */
    public static Rule fixedRule(String code, long delta, long award, java.time.Duration countsFor) {
        return Rule.newBuilder().setCode(code).setCategory(ConductCategory.COMMUNITY_IMPROVEMENT)
                .setTitle("Test rule " + code).setScoreDelta(delta).setAwardPoints(award).setCapPerPeriod(100)
                .setCapPeriod(CapPeriod.CAP_PERIOD_YEAR)
                .setCountsFor(Duration.newBuilder().setSeconds(countsFor.toSeconds())).build();
    }

    /** 10:00 UTC, {@code days} calendar days ago: reports on one such day share the day's cap. */
    public static Instant daysAgo(int days) {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(java.time.Duration.ofDays(days))
                .plus(java.time.Duration.ofHours(10));
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Registers a new participant id, bound to {@code subject}; returns the id. */
    public static String register(ScoringInternalServiceBlockingStub internal, String subject) {
        String participantId = newId();
        internal.registerParticipant(registration(participantId, subject));
        return participantId;
    }

    public static RegisterParticipantRequest registration(String participantId, String subject) {
        return RegisterParticipantRequest.newBuilder().setIdempotencyKey(newId()).setParticipantId(participantId)
                .setKeycloakSubject(subject).setEnrolledAt(ProtoTime.timestamp(Instant.now())).build();
    }

    /** A new report under {@code rule} about {@code participantId}. */
    public static ApplyReportRequest report(long version, String participantId, String rule, int quantity,
            Instant occurredAt) {
        return ApplyReportRequest.newBuilder().setIdempotencyKey(newId()).setReportId(newId())
                .setParticipantId(participantId).setAgencyId("greenway-volunteers").setRuleCode(rule)
                .setRuleTableVersion(version).setQuantity(quantity).setOccurredAt(ProtoTime.timestamp(occurredAt))
                .setEvidenceRef("https://greenway.example/shifts/" + newId()).build();
    }

    /** The {@code sub} claim of a real token: the subject RegisterParticipant binds. */
    public static String subjectOf(String token) {
        return claimsOf(token).getString("sub");
    }

    /** The claims of a real token, read without verifying it (the service verifies). */
    public static JsonObject claimsOf(String token) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                StandardCharsets.UTF_8));
    }

    /** Runs a call that must fail with {@code code}; returns the failure. */
    public static StatusRuntimeException refused(Status.Code code, ThrowingCallable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(e).as("the call must fail with " + code).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        return e;
    }

    /** Runs a call that must fail with FAILED_PRECONDITION and the ErrorInfo {@code reason}. */
    public static void refusedFor(String reason, ThrowingCallable call) {
        assertThat(reasonOf(refused(Status.Code.FAILED_PRECONDITION, call))).isEqualTo(reason);
    }

    public static String reasonOf(StatusRuntimeException e) {
        return detail(e, ErrorInfo.class).getReason();
    }

    /** The fields named by the BadRequest detail of an INVALID_ARGUMENT failure. */
    public static List<String> badFields(StatusRuntimeException e) {
        return detail(e, BadRequest.class).getFieldViolationsList().stream()
                .map(BadRequest.FieldViolation::getField).toList();
    }

    private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(d -> d.is(type)).findFirst()
                .map(d -> {
                    try {
                        return d.unpack(type);
                    } catch (InvalidProtocolBufferException x) {
                        throw new IllegalStateException(x);
                    }
                }).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " detail in " + e));
    }
}
