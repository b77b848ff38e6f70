package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.fixedRule;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreChangeCause;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc.ScoreServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoreUpdate;
import org.civiccredit.api.scoring.v1.Tier;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.scoring.cache.ScoreCache;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.Tiers;
import org.junit.jupiter.api.Test;

/**
 * GetScore through the live cache in Redis (database 1): written after each change, refilled from PostgreSQL
 * after a flush, never used past the end of a counting window, placed in the tiers of a newer table; and the
 * expiry sweep turning an ended window into a new version that streams see.
 */
@QuarkusTest
class LiveScoreGrpcServiceTest extends ScoringGrpcTest {

    @GrpcClient("self")
    Channel channel;

    @Inject
    RedisDataSource redis;

    @Inject
    ScoreCache cache;



    @Test
    void eachChangeIsCachedAfterItsCommitAndAFlushedRedisIsRefilledFromPostgres() {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), VOL, 8, daysAgo(2)));
        internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(2)));
        ScoreCache.Entry cached = cache.read(pat.participantId()).orElseThrow();
        assertThat(cached.version()).as("written after the commit, before the call returned").isEqualTo(3);
        assertThat(cached.score().score().score()).isEqualTo(50);
        Score before = asService.getScore(byId(pat.participantId()));

        assertThat(redis.execute("CLIENT", "INFO").toString()).as("only ever the tests' database").contains(" db=1 ");
        redis.execute("FLUSHDB");
        assertThat(cache.read(pat.participantId())).isEmpty();

        Score own = BearerAuth.as(scoreClient, pat.token()).getScore(GetScoreRequest.getDefaultInstance());
        assertThat(own.toBuilder().clearAsOf().build()).isEqualTo(before.toBuilder().clearAsOf().build());
        assertThat(own.getScore()).isEqualTo(50);
        assertThat(own.getTier().getName()).isEqualTo("Bronze");
        assertThat(own.getVersion()).isEqualTo(3);
        ScoreCache.Entry refilled = cache.read(pat.participantId()).orElseThrow();
        assertThat(refilled.version()).as("the miss refilled the cache").isEqualTo(3);
        assertThat(refilled.score().score().score()).isEqualTo(50);
    }

    @Test
    void aCachedScoreIsNotUsedPastTheEndOfACountingWindow() {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(1)));
        LiveScore truth = cache.read(pat.participantId()).orElseThrow().score();
        // What an entry looks like once a window it counted has ended: same version, another sum.
        Instant ended = Instant.now().minusSeconds(1);
        LiveScore stale = new LiveScore(Tiers.NONE.scoreOf(pat.participantId(), 999, truth.version(),
                ended.minusSeconds(60)), truth.ruleTableVersion(), ended);
        redis.key().del(cache.key(pat.participantId()));
        assertThat(cache.write(stale, "")).isTrue();

        assertThat(asService.getScore(byId(pat.participantId())).getScore()).isEqualTo(10);
        assertThat(cache.read(pat.participantId()).orElseThrow().score().validUntil())
                .as("replaced by the recomputed score (same version, later window end)")
                .isEqualTo(truth.validUntil());
    }

    @Test
    void aCachedScoreIsPlacedInTheTiersOfANewerTable() {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), VOL, 8, daysAgo(2)));
        Score before = asService.getScore(byId(pat.participantId()));
        assertThat(before.hasTier()).isFalse();
        assertThat(before.getNextTierName()).isEqualTo("Bronze");
        ScoringFixtures.publishTable(ruleTables, List.of(fixedRule("T_TIERS_" + newId().substring(0, 8).toUpperCase(), 5, 0,
                Duration.ofDays(30))), Tier.newBuilder().setName("Starter").setThreshold(10).build(),
                Tier.newBuilder().setName("Regular").setThreshold(60).build());

        assertThat(cache.read(pat.participantId()).orElseThrow().score().ruleTableVersion())
                .as("still cached with the old table's tiers").isEqualTo(version);
        Score score = asService.getScore(byId(pat.participantId()));
        assertThat(score.getScore()).isEqualTo(40);
        assertThat(score.getTier().getName()).isEqualTo("Starter");
        assertThat(score.getNextTierName()).isEqualTo("Regular");
        assertThat(score.getPointsToNextTier()).isEqualTo(20);
    }

    @Test
    void anEndedWindowBumpsTheVersionAndIsPushedToTheStream() throws Exception {
        String brief = "T_BRIEF_" + newId().substring(0, 8).toUpperCase();
        long table = ScoringFixtures.publishTable(ruleTables, List.of(fixedRule(brief, 6, 0, Duration.ofSeconds(10)),
                fixedRule("T_LONG", 4, 0, Duration.ofDays(30))));
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(table, pat.participantId(), "T_LONG", 0, daysAgo(1)));
        var shortLived = internal.applyReport(report(table, pat.participantId(), brief, 0, Instant.now()));
        try (ScoreStreamRecorder stream = ScoreStreamRecorder.open(channel, pat.token(), 3)) {
            // Ten seconds: the stream is open (resumed after version 3) well before the window ends.
            ScoreUpdate expired = stream.next(30_000).update();
            assertThat(expired.getCause()).isEqualTo(ScoreChangeCause.SCORE_CHANGE_CAUSE_EVENT_EXPIRED);
            assertThat(expired.getReportId()).isEqualTo(shortLived.getReportId());
            assertThat(expired.getEventId()).isEqualTo(shortLived.getEventId());
            assertThat(expired.getScore().getVersion()).isEqualTo(4);
            assertThat(expired.getScore().getScore()).isEqualTo(4);
        }
        Score score = asService.getScore(byId(pat.participantId()));
        assertThat(score.getVersion()).isEqualTo(4);
        assertThat(score.getScore()).isEqualTo(4);
    }

    @Test
    void aFrozenDeductionAndItsScoreAreCachedAsTheyChange() {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(3)));
        var missed = internal.applyReport(report(version, pat.participantId(), ScoringFixtures.MISSED, 0, daysAgo(2)));
        assertThat(asService.getScore(byId(pat.participantId())).getScore()).isZero();
        internal.freezeEvent(FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(missed.getReportId()).build());
        Score frozen = asService.getScore(byId(pat.participantId()));
        assertThat(frozen.getScore()).as("a frozen deduction counts zero").isEqualTo(10);
        assertThat(frozen.getVersion()).isEqualTo(4);
        assertThat(cache.read(pat.participantId()).orElseThrow().version()).isEqualTo(4);
    }

    /** GetScore's latency and rate from the cache, and after a miss (the PostgreSQL read and the refill). */
    @Test
    void getScoreLatencyAndRateFromTheCacheAndAfterAMiss() throws Exception {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), VOL, 8, daysAgo(2)));
        internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(2)));
        ScoreServiceBlockingStub own = BearerAuth.as(scoreClient, pat.token());
        GetScoreRequest mine = GetScoreRequest.getDefaultInstance();
        GetScoreRequest theirs = byId(pat.participantId());
        Runnable nothing = () -> { };
        Runnable evict = () -> redis.key().del(cache.key(pat.participantId()));

        GetScoreMeasurement.measure("cache hit, service (by participant id: Redis only)", 1_000, 4, nothing,
                () -> asService.getScore(theirs), 50);
        GetScoreMeasurement.measure("cache hit, participant (token subject looked up in PostgreSQL)", 1_000, 4,
                nothing, () -> own.getScore(mine), 50);
        GetScoreMeasurement.measure("cache miss, service (PostgreSQL read and cache refill)", 500, 0, evict,
                () -> asService.getScore(theirs), 50);
        assertThat(cache.read(pat.participantId())).as("the last miss refilled the cache").isPresent();
    }

    private static GetScoreRequest byId(String participantId) {
        return GetScoreRequest.newBuilder().setParticipantId(participantId).build();
    }
}
