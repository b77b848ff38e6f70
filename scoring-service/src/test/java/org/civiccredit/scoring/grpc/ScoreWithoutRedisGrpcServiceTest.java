package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.MISSED;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreChangeCause;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc.ScoreServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoreUpdate;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.scoring.cache.LiveScores;
import org.civiccredit.scoring.cache.NearScores;
import org.civiccredit.scoring.cache.ScoreCache;
import org.civiccredit.scoring.cache.ScoreFanOut;
import org.junit.jupiter.api.Test;

/**
 * "Redis down", simulated without touching the shared Redis server: this profile starts the service with its
 * Redis client aimed at 127.0.0.1:1, where nothing listens (every connection is refused). Reads fall back to
 * PostgreSQL and stay correct, changes still commit, and streams on this instance still get their changes.
 */
@QuarkusTest
@TestProfile(ScoreWithoutRedisGrpcServiceTest.RedisUnreachable.class)
class ScoreWithoutRedisGrpcServiceTest extends ScoringGrpcTest {

    /**
     * The service with a Redis address where nothing listens. The cool-down is long, so that "Redis was tried and is
     * cooling down" still holds when a test thread looks a second or more after the last read (a busy CI machine).
     */
    public static class RedisUnreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:1/1", "scoring.live.cooldown", "PT10M");
        }
    }

    @GrpcClient("self")
    Channel channel;

    @Inject
    ScoreCache cache;

    @Inject
    ScoreFanOut fanOut;

    @Inject
    LiveScores liveScores;

    @Inject
    NearScores near;

    @Test
    void scoresAreReadFromPostgresAndStayCorrect() {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), VOL, 8, daysAgo(2)));
        internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(2)));
        ScoreEvent missed = internal.applyReport(report(version, pat.participantId(), MISSED, 0, daysAgo(1)));

        Score own = BearerAuth.as(scoreClient, pat.token()).getScore(GetScoreRequest.getDefaultInstance());
        assertThat(own.getScore()).isEqualTo(40);
        assertThat(own.hasTier()).isFalse();
        assertThat(own.getVersion()).isEqualTo(4);

        internal.freezeEvent(FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(missed.getReportId()).build());
        Score byService = asService.getScore(GetScoreRequest.newBuilder().setParticipantId(pat.participantId())
                .build());
        assertThat(byService.getScore()).isEqualTo(50);
        assertThat(byService.getTier().getName()).isEqualTo("Bronze");
        assertThat(byService.getVersion()).isEqualTo(5);

        assertThat(fanOut.subscribed()).isFalse();
        assertThat(cache.available()).as("Redis was tried and is cooling down").isFalse();
    }

    /**
     * GetScore's latency and rate while Redis is down: every read is PostgreSQL's. Counted per read: each of the
     * calls made here ({@link GetScoreMeasurement#callsPerMeasurement}) is one read from
     * PostgreSQL, and none is answered by the near cache or Redis.
     */
    @Test
    void getScoreLatencyAndRateFromPostgresWhileRedisIsDown() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), VOL, 8, daysAgo(2)));
        internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(2)));
        ScoreServiceBlockingStub own = BearerAuth.as(scoreClient, pat.token());
        GetScoreRequest theirs = GetScoreRequest.newBuilder().setParticipantId(pat.participantId()).build();
        long postgresReadsBefore = liveScores.postgresReads();
        long nearHitsBefore = near.hits();
        long redisAnswersBefore = near.redisAnswers();

        GetScoreMeasurement.measure("Redis down, service (score from PostgreSQL)", 1_000, 4, () -> { },
                () -> asService.getScore(theirs), 50);
        GetScoreMeasurement.measure("Redis down, participant (subject lookup and score from PostgreSQL)", 1_000, 4,
                () -> { }, () -> own.getScore(GetScoreRequest.getDefaultInstance()), 50);
        int calls = 2 * GetScoreMeasurement.callsPerMeasurement(1_000, 4);
        assertThat(liveScores.postgresReads() - postgresReadsBefore).as("reads answered from PostgreSQL")
                .isEqualTo(calls);
        assertThat(near.hits() - nearHitsBefore).as("reads answered by the near cache").isZero();
        assertThat(near.redisAnswers() - redisAnswersBefore).as("reads answered by Redis").isZero();
        assertThat(cache.available()).as("Redis was tried and is cooling down").isFalse();
    }

    @Test
    void streamsOnThisInstanceStillGetTheChangesMadeHere() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        try (ScoreStreamRecorder stream = ScoreStreamRecorder.open(channel, pat.token(), 0)) {
            assertThat(stream.next(10_000).update().getScore().getVersion()).isEqualTo(1);
            internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(1)));
            ScoreUpdate update = stream.next(10_000).update();
            assertThat(update.getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_REPORT_APPLIED);
            assertThat(update.getScore().getScore()).isEqualTo(10);
        }
    }
}
