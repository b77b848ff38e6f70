package org.civiccredit.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc;
import org.civiccredit.api.reports.v1.EnrollRequest;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc;
import org.civiccredit.api.reports.v1.RegisterAgencyRequest;
import org.civiccredit.api.reports.v1.ReportServiceGrpc;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoreChangeCause;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoreUpdate;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc;
import org.civiccredit.api.scoring.v1.StreamScoreRequest;
import org.civiccredit.kit.testing.Occurred;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two scoring-service processes behind one database and one Redis: a participant streaming their score from
 * the second instance receives each change applied through the first (Redis pub/sub), resumes after a
 * reconnect without missing or repeating anything, and, when the instance serving the stream stops, is told
 * UNAVAILABLE and carries on from the other instance.
 */
@SystemUnderTest
class ScoreStreamAcrossInstancesIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final long WAIT_MS = 5_000;
    private static final String RULE = "SYS_STREAM_SHIFT";
    private static final String AGENCY = "greenway-volunteers";

    private static ManagedChannel reports;
    private static ManagedChannel first;
    private static ManagedChannel second;
    private static RunningSystem system;
    private static long tableVersion;

    @BeforeAll
    static void startASecondScoringInstance(RunningSystem running) {
        system = running;
        reports = Calls.channel(running.service("reports"));
        first = Calls.channel(running.service("scoring"));
        second = Calls.channel(running.startAnother("scoring", "scoring-2", RunningSystem.FIRST_PORT + 3));
        String admin = Keycloak.clientToken("civic-admin-cli");
        tableVersion = Calls.as(RuleTableServiceGrpc.newBlockingStub(first), admin).publishRuleTable(
                PublishRuleTableRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .addRules(Rule.newBuilder().setCode(RULE).setCategory(ConductCategory.COMMUNITY_IMPROVEMENT)
                                .setTitle("Library shift").setScoreDelta(3).setAwardPoints(1)
                                .setCapPerPeriod(10_000).setCapPeriod(CapPeriod.CAP_PERIOD_WEEK)
                                .setCountsFor(com.google.protobuf.Duration.newBuilder().setSeconds(365L * 86_400)))
                        .setNotes("score streams across instances").build()).getVersion();
        try {
            Calls.as(AgencyServiceGrpc.newBlockingStub(reports), admin).registerAgency(RegisterAgencyRequest
                    .newBuilder().setIdempotencyKey(UUID.randomUUID().toString()).setAgencyId(AGENCY)
                    .setDisplayName("Greenway Volunteers").setKeycloakClientId("agency-greenway")
                    .addAllowedCategories(ConductCategory.VOLUNTEERING)
                    .addAllowedCategories(ConductCategory.COMMUNITY_IMPROVEMENT).build());
        } catch (StatusRuntimeException registeredBefore) {
            assertThat(registeredBefore.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        }
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        for (ManagedChannel channel : List.of(reports, first, second)) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStreamOnOneInstanceFollowsChangesAppliedThroughTheOtherAndSurvivesReconnectsAndAStop() throws Exception {
        Keycloak.Person person = Keycloak.newPerson("participant");
        String participantId = Calls.as(EnrollmentServiceGrpc.newBlockingStub(reports), person.token())
                .enroll(EnrollRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .setConsentVersion(1).build()).getEnrollment().getParticipantId();
        var scoreOnFirst = Calls.as(ScoreServiceGrpc.newBlockingStub(first), person.token());
        Calls.eventually(PATIENCE, "the enrolment reaching scoring-service",
                () -> scoreOnFirst.getScore(GetScoreRequest.getDefaultInstance()));
        var applyOnFirst = Calls.as(ScoringInternalServiceGrpc.newBlockingStub(first),
                Keycloak.clientToken("reports-service"));

        long seen;
        try (Stream onSecond = Stream.open(second, person.token(), 0)) {
            assertThat(onSecond.next().getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_CURRENT);
            List<Long> fromCall = new ArrayList<>();
            List<Long> afterReturn = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                long called = System.nanoTime();
                ScoreEvent event = applyOnFirst.applyReport(report(participantId, i));
                long returned = System.nanoTime();
                ScoreUpdate update = onSecond.next();
                long arrived = onSecond.lastArrivalNanos();
                fromCall.add((arrived - called) / 1_000);
                afterReturn.add(Math.max(0, arrived - returned) / 1_000);
                assertThat(update.getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_REPORT_APPLIED);
                assertThat(update.getEventId()).isEqualTo(event.getEventId());
                assertThat(update.getScore().getVersion()).isEqualTo(1 + i);
                assertThat(update.getScore().getScore()).isEqualTo(3L * i);
            }
            System.out.printf("StreamScore on instance 2 of 20 changes applied through instance 1: from the"
                    + " ApplyReport call median %d us, max %d us; after it returned median %d us, max %d us%n",
                    median(fromCall), max(fromCall), median(afterReturn), max(afterReturn));
            seen = 21;
        }

        // Disconnected: two changes happen meanwhile; the reconnecting app gets the newest state once.
        applyOnFirst.applyReport(report(participantId, 21));
        applyOnFirst.applyReport(report(participantId, 22));
        try (Stream resumed = Stream.open(second, person.token(), seen)) {
            ScoreUpdate caughtUp = resumed.next();
            assertThat(caughtUp.getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_CURRENT);
            assertThat(caughtUp.getScore().getVersion()).isGreaterThan(seen);
            // The newest change may still be on its way to this instance when the stream opens: then the current
            // state is the one before it and the newest follows as its own update. Either way no version twice.
            List<ScoreUpdate> updates = new ArrayList<>(List.of(caughtUp));
            while (updates.get(updates.size() - 1).getScore().getVersion() < seen + 2) {
                updates.add(resumed.next());
            }
            assertThat(updates).extracting(u -> u.getScore().getVersion()).doesNotHaveDuplicates().isSorted()
                    .endsWith(seen + 2);
            assertThat(updates.get(updates.size() - 1).getScore().getScore()).isEqualTo(3L * 22);
            seen = seen + 2;
            assertThat(resumed.drain(500)).as("nothing the app already has").isEmpty();

            // The normal path: an agency's report, relayed by reports-service to the first instance.
            long submitted = System.nanoTime();
            String reportId = Calls.as(ReportServiceGrpc.newBlockingStub(reports),
                    Keycloak.clientToken("agency-greenway")).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .submitReport(SubmitReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                            .setParticipantId(participantId).setRuleCode(RULE)
                            .setOccurredAt(Timestamp.newBuilder().setSeconds(
                                    Occurred.ago(Duration.ofMinutes(10)).getEpochSecond()))
                            .setEvidenceRef("https://greenway.example.org/" + UUID.randomUUID()).build()).getReportId();
            ScoreUpdate reported = resumed.next(PATIENCE.toMillis());
            System.out.printf("StreamScore on instance 2 of a report submitted to reports-service (relayed to"
                    + " instance 1): %d ms after SubmitReport%n", (resumed.lastArrivalNanos() - submitted) / 1_000_000);
            assertThat(reported.getReportId()).isEqualTo(reportId);
            assertThat(reported.getScore().getVersion()).isEqualTo(seen + 1);
            seen = reported.getScore().getVersion();

            // The instance serving the stream stops: the app is told to reconnect, and does, to the other one.
            system.stop("scoring-2");
            StatusRuntimeException end = resumed.endedWith(PATIENCE.toMillis());
            assertThat(end).as("the stream ended with an error, not a completion").isNotNull();
            System.out.printf("StreamScore ended by the instance stopping: %s%n", end.getStatus());
            assertThat(end.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        }
        try (Stream onFirst = Stream.open(first, person.token(), seen)) {
            assertThat(onFirst.drain(500)).as("nothing the app already has").isEmpty();
            ScoreEvent event = applyOnFirst.applyReport(report(participantId, 23));
            ScoreUpdate next = onFirst.next();
            assertThat(next.getEventId()).isEqualTo(event.getEventId());
            assertThat(next.getScore().getVersion()).isEqualTo(seen + 1);
        }
    }

    /** A report under the stream rule about the participant, {@code n} minutes before now (distinct each). */
    private static ApplyReportRequest report(String participantId, int n) {
        Instant occurred = Instant.now().minusSeconds(3_600 + n * 60L);
        return ApplyReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setReportId(UUID.randomUUID().toString()).setParticipantId(participantId).setAgencyId(AGENCY)
                .setRuleCode(RULE).setRuleTableVersion(tableVersion)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(occurred.getEpochSecond()))
                .setEvidenceRef("https://greenway.example.org/shifts/" + UUID.randomUUID()).build();
    }

    private static long median(List<Long> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** A participant app's StreamScore call: the updates as they arrive, and how the call ended. */
    private static final class Stream implements ClientResponseObserver<StreamScoreRequest, ScoreUpdate>,
            AutoCloseable {

        private final BlockingQueue<ScoreUpdate> updates = new LinkedBlockingQueue<>();
        private final BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        private ClientCallStreamObserver<StreamScoreRequest> call;
        private long lastArrival;

        static Stream open(ManagedChannel channel, String token, long resumeAfterVersion) {
            Stream stream = new Stream();
            Calls.as(ScoreServiceGrpc.newStub(channel), token).streamScore(StreamScoreRequest.newBuilder()
                    .setResumeAfterVersion(resumeAfterVersion).build(), stream);
            return stream;
        }

        ScoreUpdate next() throws InterruptedException {
            return next(WAIT_MS);
        }

        ScoreUpdate next(long millis) throws InterruptedException {
            ScoreUpdate update = updates.poll(millis, TimeUnit.MILLISECONDS);
            if (update == null) {
                throw new AssertionError("no score update within " + millis + " ms"
                        + (ended.isDone() ? "; the stream ended: " + ended.getNow(null) : ""));
            }
            lastArrival = arrivals.remove();
            return update;
        }

        /** System.nanoTime() at which the update last returned by {@link #next} arrived. */
        long lastArrivalNanos() {
            return lastArrival;
        }

        List<ScoreUpdate> drain(long millis) throws InterruptedException {
            List<ScoreUpdate> all = new ArrayList<>();
            ScoreUpdate update;
            while ((update = updates.poll(millis, TimeUnit.MILLISECONDS)) != null) {
                arrivals.remove();
                all.add(update);
            }
            return all;
        }

        StatusRuntimeException endedWith(long millis) throws Exception {
            return (StatusRuntimeException) ended.get(millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<StreamScoreRequest> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(ScoreUpdate update) {
            arrivals.add(System.nanoTime());
            updates.add(update);
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(t);
        }

        @Override
        public void onCompleted() {
            ended.complete(null);
        }

        @Override
        public void close() {
            if (!ended.isDone()) {
                call.cancel("the app closed the stream", null);
            }
        }
    }
}
