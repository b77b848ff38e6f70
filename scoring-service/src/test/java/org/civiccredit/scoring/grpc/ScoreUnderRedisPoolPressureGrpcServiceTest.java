package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.scoring.cache.LiveScores;
import org.civiccredit.scoring.cache.RedisPause;
import org.civiccredit.scoring.cache.ScoreCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GetScore while the Redis connection pool is full: this profile gives the service two pooled connections
 * (one may carry the score-change subscription) with one waiting place, and lets two cache reads at a time run
 * on the event loops, while the test holds every
 * Redis command ({@code CLIENT PAUSE ALL}) for a moment. A read that finds the pool full is a local overload,
 * not Redis failing: it falls back to PostgreSQL for that call alone, without cooling the cache down for
 * everyone. GetScore calls beyond the event-loop reads wait in line for a place rather than go to PostgreSQL,
 * and every call is answered correctly.
 */
@QuarkusTest
@TestProfile(ScoreUnderRedisPoolPressureGrpcServiceTest.TinyPool.class)
class ScoreUnderRedisPoolPressureGrpcServiceTest extends ScoringGrpcTest {

    /** Two pooled Redis connections, one waiting place, two event-loop reads, reads that outwait the pause. */
    public static class TinyPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Two connections: the score-change subscription may hold one of them.
            // No near cache: every GetScore here is to read Redis.
            return Map.of("quarkus.redis.max-pool-size", "2", "quarkus.redis.max-pool-waiting", "1",
                    "scoring.live.event-loop-reads", "2", "scoring.live.read-timeout", "PT5S",
                    "scoring.live.near-max-entries", "0");
        }
    }

    private static final Duration PAUSE = Duration.ofMillis(700);

    @Inject
    ScoreCache cache;

    @Inject
    LiveScores liveScores;

    ExecutorService callers;

    @BeforeEach
    void setUp() {
        callers = Executors.newFixedThreadPool(12);
    }

    @AfterEach
    void tearDown() throws Exception {
        RedisPause.end();
        callers.shutdownNow();
    }

    @Test
    void aFullConnectionPoolFailsOnlyTheReadThatFoundItFull() throws Exception {
        String participant = ScoringFixtures.register(internal, UUID.randomUUID().toString());
        internal.applyReport(report(version, participant, VOL, 4, daysAgo(1)));
        long cachedVersion = cache.read(participant).orElseThrow().version();

        RedisPause.all(PAUSE);
        List<CompletableFuture<Optional<ScoreCache.Entry>>> reads = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            reads.add(cache.readAsync(participant).subscribeAsCompletionStage());
        }
        int busy = 0;
        for (CompletableFuture<Optional<ScoreCache.Entry>> read : reads) {
            try {
                assertThat(read.get(5, TimeUnit.SECONDS).orElseThrow().version()).isEqualTo(cachedVersion);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(ScoreCache.Unavailable.class)
                        .hasMessageContaining("pool is busy");
                busy++;
            }
        }
        assertThat(busy).as("reads beyond the connections and the waiting place").isGreaterThanOrEqualTo(2);
        assertThat(cache.available()).as("a full pool does not cool the cache down").isTrue();
    }

    @Test
    void everyGetScoreIsAnsweredWhileThePoolIsFullAndNoReadIsLeftCounted() throws Exception {
        String participant = ScoringFixtures.register(internal, UUID.randomUUID().toString());
        internal.applyReport(report(version, participant, VOL, 8, daysAgo(2)));
        internal.applyReport(report(version, participant, SHIFT, 0, daysAgo(2)));
        GetScoreRequest request = GetScoreRequest.newBuilder().setParticipantId(participant).build();
        Score expected = asService.getScore(request);
        assertThat(expected.getScore()).isEqualTo(50);

        long postgresBefore = liveScores.postgresReads();
        RedisPause.all(PAUSE);
        List<Future<Score>> answers = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            answers.add(callers.submit(() -> asService.withDeadlineAfter(10, TimeUnit.SECONDS).getScore(request)));
        }
        for (Future<Score> answer : answers) {
            Score score = answer.get(15, TimeUnit.SECONDS);
            assertThat(score.getScore()).isEqualTo(expected.getScore());
            assertThat(score.getVersion()).isEqualTo(expected.getVersion());
            assertThat(score.getTier()).isEqualTo(expected.getTier());
        }
        assertThat(liveScores.postgresReads() - postgresBefore)
                .as("reads of a cached score answered by PostgreSQL: they waited in line for Redis").isZero();
        assertThat(cache.available()).as("a full pool does not cool the cache down").isTrue();
        assertThat(liveScores.eventLoopReadsInFlight()).as("every event-loop read released its place").isZero();
    }
}
