package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.fixedRule;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.reasonOf;
import static org.civiccredit.scoring.grpc.ScoringFixtures.refused;
import static org.civiccredit.scoring.grpc.ScoringFixtures.refusedFor;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.ScoreChangeCause;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc.ScoreServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoreUpdate;
import org.civiccredit.api.scoring.v1.StreamScoreRequest;
import org.civiccredit.api.scoring.v1.Tier;
import org.civiccredit.api.scoring.v1.UnfreezeEventRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.scoring.cache.ScoreChangeMessage;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.domain.Tiers;
import org.junit.jupiter.api.Test;

/**
 * StreamScore over gRPC with real participant tokens: each change pushed at once, resuming from a version,
 * changes made by another instance arriving through Redis pub/sub, and the ends a stream can have.
 */
@QuarkusTest
class ScoreStreamGrpcServiceTest extends ScoringGrpcTest {

    /** How long a test waits for an update; the contract's target is 100 ms, measured and reported. */
    private static final long WAIT_MS = 10_000;

    @GrpcClient("self")
    Channel channel;

    @Inject
    RedisDataSource redis;

    @Inject
    ScoringConfig config;



    @Test
    void aParticipantReceivesTheCurrentScoreThenEachChangeAsItHappens() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        try (ScoreStreamRecorder stream = ScoreStreamRecorder.open(channel, pat.token(), 0)) {
            ScoreUpdate first = stream.next(WAIT_MS).update();
            assertThat(first.getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_CURRENT);
            assertThat(first.getScore().getParticipantId()).isEqualTo(pat.participantId());
            assertThat(first.getScore().getVersion()).isEqualTo(1);
            assertThat(first.getScore().getScore()).isZero();
            assertThat(first.getReportId()).isEmpty();

            List<Long> fromCallMicros = new ArrayList<>();
            List<Long> afterReturnMicros = new ArrayList<>();
            List<Long> roundTripMicros = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long called = System.nanoTime();
                ScoreEvent event = internal.applyReport(report(version, pat.participantId(), SHIFT, 0,
                        daysAgo(10 + i)));
                long returned = System.nanoTime();
                ScoreStreamRecorder.Received update = stream.next(WAIT_MS);
                fromCallMicros.add((update.atNanos() - called) / 1_000);
                afterReturnMicros.add(Math.max(0, update.atNanos() - returned) / 1_000);
                roundTripMicros.add((returned - called) / 1_000);
                assertThat(update.update().getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_REPORT_APPLIED);
                assertThat(update.update().getReportId()).isEqualTo(event.getReportId());
                assertThat(update.update().getEventId()).isEqualTo(event.getEventId());
                assertThat(update.update().getScore().getVersion()).isEqualTo(2 + i);
                assertThat(update.update().getScore().getScore()).isEqualTo(10L * (i + 1));
            }
            System.out.printf("StreamScore latency over 20 changes, from the ApplyReport call: median %d us, "
                    + "max %d us; after ApplyReport returned: median %d us, max %d us; ApplyReport round trip: "
                    + "median %d us, max %d us%n", median(fromCallMicros), max(fromCallMicros),
                    median(afterReturnMicros), max(afterReturnMicros), median(roundTripMicros), max(roundTripMicros));
            assertThat(median(fromCallMicros)).as("well within the 2 s the test allows").isLessThan(2_000_000);
        }
    }

    @Test
    void freezeUnfreezeAndReversalArePushedWithTheirCause() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        ScoreEvent shift = internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(1)));
        try (ScoreStreamRecorder stream = ScoreStreamRecorder.open(channel, pat.token(), 1)) {
            // The current score arrives once the stream listens: the changes below cannot overtake its opening.
            assertThat(stream.next(WAIT_MS).update().getScore().getVersion()).isEqualTo(2);
            internal.freezeEvent(FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                    .setReportId(shift.getReportId()).build());
            internal.unfreezeEvent(UnfreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                    .setReportId(shift.getReportId()).build());
            internal.reverseEvent(ReverseEventRequest.newBuilder().setIdempotencyKey(newId())
                    .setReportId(shift.getReportId()).setReason("overturned on review")
                    .setCause(ReversalCause.REVERSAL_CAUSE_CONTEST_OVERTURNED).build());
            List<ScoreUpdate> updates = List.of(stream.next(WAIT_MS).update(), stream.next(WAIT_MS).update(),
                    stream.next(WAIT_MS).update());
            assertThat(updates).extracting(ScoreUpdate::getCause).containsExactly(
                    ScoreChangeCause.SCORE_CHANGE_CAUSE_EVENT_FROZEN, ScoreChangeCause.SCORE_CHANGE_CAUSE_EVENT_UNFROZEN,
                    ScoreChangeCause.SCORE_CHANGE_CAUSE_EVENT_REVERSED);
            assertThat(updates).extracting(u -> u.getScore().getVersion()).containsExactly(3L, 4L, 5L);
            assertThat(updates).extracting(u -> u.getScore().getScore()).containsExactly(10L, 10L, 0L);
            assertThat(updates).extracting(ScoreUpdate::getReportId).containsOnly(shift.getReportId());
        }
    }

    @Test
    void aReconnectingClientGetsTheCurrentScoreOnceIfItIsNewerThanItsResumePoint() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        for (int i = 0; i < 3; i++) {
            internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(1 + i)));
        }
        try (ScoreStreamRecorder behind = ScoreStreamRecorder.open(channel, pat.token(), 2)) {
            List<ScoreUpdate> updates = new ArrayList<>(List.of(behind.next(WAIT_MS).update()));
            updates.addAll(behind.drain(700));
            assertThat(updates).hasSize(1);
            // Almost always CURRENT. The last report's announcement, which this instance also receives back
            // through Redis, may reach the stream after it opened and before it read the current score: then it
            // is the one sent, and the current score, of the same version, is not sent again.
            assertThat(updates.get(0).getCause()).isIn(ScoreChangeCause.SCORE_CHANGE_CAUSE_CURRENT,
                    ScoreChangeCause.SCORE_CHANGE_CAUSE_REPORT_APPLIED);
            assertThat(updates.get(0).getScore().getVersion()).isEqualTo(4);
            assertThat(updates.get(0).getScore().getScore()).isEqualTo(30);
        }
        try (ScoreStreamRecorder upToDate = ScoreStreamRecorder.open(channel, pat.token(), 4)) {
            assertThat(upToDate.drain(700)).as("nothing it has already").isEmpty();
            internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(5)));
            ScoreUpdate next = upToDate.next(WAIT_MS).update();
            assertThat(next.getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_REPORT_APPLIED);
            assertThat(next.getScore().getVersion()).isEqualTo(5);
        }
    }

    /** Another instance applied a change: its announcement on the channel reaches this instance's stream. */
    @Test
    void aChangeAnnouncedByAnotherInstanceReachesTheStream() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        try (ScoreStreamRecorder stream = ScoreStreamRecorder.open(channel, pat.token(), 0)) {
            ScoreUpdate current = stream.next(WAIT_MS).update();
            Tiers tiers = new Tiers(version, List.of(new org.civiccredit.scoring.domain.TierDefinition("Bronze", 50)));
            LiveScore elsewhere = new LiveScore(tiers.scoreOf(pat.participantId(), 77,
                    current.getScore().getVersion() + 1, Instant.now()), version, null);
            String reportId = newId();
            String eventId = newId();
            long published = System.nanoTime();
            redis.pubsub(String.class).publish(config.live().channel(), ScoreChangeMessage.encode(new ScoreChange(
                    pat.participantId(), elsewhere, elsewhere.version(),
                    org.civiccredit.scoring.domain.ScoreChangeCause.REPORT_APPLIED, reportId, eventId)));

            ScoreStreamRecorder.Received received = stream.next(WAIT_MS);
            System.out.printf("StreamScore latency of a change announced by another instance: %d us%n",
                    (received.atNanos() - published) / 1_000);
            ScoreUpdate update = received.update();
            assertThat(update.getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_REPORT_APPLIED);
            assertThat(update.getScore().getVersion()).isEqualTo(2);
            assertThat(update.getScore().getScore()).isEqualTo(77);
            assertThat(update.getScore().getTier().getName()).isEqualTo("Bronze");
            assertThat(update.getReportId()).isEqualTo(reportId);
            assertThat(update.getEventId()).isEqualTo(eventId);

            redis.pubsub(String.class).publish(config.live().channel(),
                    ScoreChangeMessage.encode(new ScoreChange(pat.participantId(), elsewhere, elsewhere.version(),
                            org.civiccredit.scoring.domain.ScoreChangeCause.REPORT_APPLIED, reportId, eventId)));
            assertThat(stream.drain(500)).as("a repeated announcement is dropped by version").isEmpty();
        }
    }

    /** This instance's changes go out on the channel, where every other instance's subscriber receives them. */
    @Test
    void aChangeMadeHereIsAnnouncedToEveryOtherInstance() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        BlockingQueue<String> otherInstance = new LinkedBlockingQueue<>();
        PubSubCommands.RedisSubscriber subscriber = redis.pubsub(String.class).subscribe(config.live().channel(),
                message -> {
                    if (message.contains(pat.participantId())) {
                        otherInstance.add(message);
                    }
                });
        try {
            ScoreEvent event = internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(1)));
            String message = otherInstance.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(message).isNotNull();
            ScoreChange change = ((ScoreChangeMessage.Change) ScoreChangeMessage.decode(message)).change();
            assertThat(change.version()).isEqualTo(2);
            assertThat(change.score().score().score()).isEqualTo(10);
            assertThat(change.reportId()).isEqualTo(event.getReportId());
            assertThat(change.cause()).isEqualTo(org.civiccredit.scoring.domain.ScoreChangeCause.REPORT_APPLIED);
        } finally {
            subscriber.unsubscribe();
        }
    }

    @Test
    void aNewTableThatMovesTheScoreToAnotherTierIsPushed() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(1)));
        try (ScoreStreamRecorder stream = ScoreStreamRecorder.open(channel, pat.token(), 2)) {
            assertThat(stream.drain(300)).isEmpty();
            ScoringFixtures.publishTable(ruleTables, List.of(fixedRule("T_TIERED", 5, 0, Duration.ofDays(30))),
                    Tier.newBuilder().setName("Starter").setThreshold(5).build());
            ScoreUpdate update = stream.next(WAIT_MS).update();
            assertThat(update.getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_TIERS_CHANGED);
            assertThat(update.getScore().getTier().getName()).isEqualTo("Starter");
            assertThat(update.getScore().getVersion()).as("tiers do not change the version").isEqualTo(2);
            assertThat(update.getReportId()).isEmpty();
        }
    }

    @Test
    void theStreamEndsWhenTheParticipantIsErased() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        try (ScoreStreamRecorder stream = ScoreStreamRecorder.open(channel, pat.token(), 0)) {
            stream.next(WAIT_MS);
            internal.eraseParticipant(EraseParticipantRequest.newBuilder().setIdempotencyKey(newId())
                    .setParticipantId(pat.participantId()).build());
            StatusRuntimeException end = stream.endedWith(WAIT_MS);
            assertThat(end.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(reasonOf(end)).isEqualTo("PARTICIPANT_NOT_ENROLLED");
        }
    }

    /** A token that runs out mid-stream ends the stream; the app resumes with a fresh token where it was. */
    @Test
    void theStreamEndsWithUnauthenticatedWhenTheTokenExpiresAndResumesWithAFreshOne() throws Exception {
        TestParticipants.TestUser user = TestParticipants.create();
        String participantId = ScoringFixtures.register(internal, user.userId());
        try (ShortLivedTokens shortLived = ShortLivedTokens.create(3)) {
            String expiring = shortLived.tokenFor(user);
            long expiresAt = ScoringFixtures.claimsOf(expiring).getLong("exp");
            long seen;
            try (ScoreStreamRecorder stream = ScoreStreamRecorder.open(channel, expiring, 0)) {
                seen = stream.next(WAIT_MS).update().getScore().getVersion();
                StatusRuntimeException end = stream.endedWith(15_000);
                long endedAt = System.currentTimeMillis();
                assertThat(end).as("ended with an error, not completed").isNotNull();
                assertThat(end.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(end.getStatus().getDescription()).contains("expired");
                System.out.printf("StreamScore ended %d ms after the token's exp%n", endedAt - expiresAt * 1000);
            }
            internal.applyReport(report(version, participantId, SHIFT, 0, daysAgo(1)));
            try (ScoreStreamRecorder resumed = ScoreStreamRecorder.open(channel, user.token(), seen)) {
                ScoreUpdate missed = resumed.next(WAIT_MS).update();
                assertThat(missed.getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_CURRENT);
                assertThat(missed.getScore().getVersion()).isEqualTo(seen + 1);
                assertThat(missed.getScore().getScore()).isEqualTo(10);
            }
        }
    }

    @Test
    void onlyAnEnrolledParticipantStreamsTheirOwnScore() {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        ScoreServiceBlockingStub asPat = BearerAuth.as(scoreClient, pat.token());
        assertThat(ScoringFixtures.badFields(refused(Status.Code.INVALID_ARGUMENT, () -> asPat.streamScore(
                StreamScoreRequest.newBuilder().setResumeAfterVersion(-1).build()).hasNext())))
                .containsExactly("resume_after_version");
        for (String token : new String[] {DemoTokens.service(), DemoTokens.agencyGreenway(), DemoTokens.reviewer(),
            DemoTokens.adminClient()}) {
            refused(Status.Code.PERMISSION_DENIED, () -> BearerAuth.as(scoreClient, token)
                    .streamScore(StreamScoreRequest.getDefaultInstance()).hasNext());
        }
        String notEnrolled = TestParticipants.create().token();
        refusedFor("PARTICIPANT_NOT_ENROLLED", () -> BearerAuth.as(scoreClient, notEnrolled)
                .streamScore(StreamScoreRequest.getDefaultInstance()).hasNext());
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
