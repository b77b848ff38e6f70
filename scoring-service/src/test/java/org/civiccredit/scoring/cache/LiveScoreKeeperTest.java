package org.civiccredit.scoring.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.Tiers;
import org.civiccredit.scoring.grpc.ScoringFixtures;
import org.civiccredit.scoring.service.Scores;
import org.civiccredit.scoring.grpc.ScoringGrpcTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keeper that keeps every registered participant's live score in Redis (database 1; its schedule is off in
 * tests, so each test drives its ticks): it fills missing entries, repairs stale ones, renews current ones,
 * never writes an erased participant, hurries only through a cold cache, and stands aside while another
 * instance holds its lease.
 */
@QuarkusTest
class LiveScoreKeeperTest extends ScoringGrpcTest {

    @Inject
    LiveScoreKeeper keeper;

    @Inject
    ScoreCache cache;

    @Inject
    Scores scores;

    @Inject
    RedisDataSource redis;

    @Inject
    NearScores near;


    @BeforeEach
    void setUp() {
        assertThat(redis.execute("CLIENT", "INFO").toString()).as("only ever the tests' database").contains(" db=1 ");
    }

    @Test
    void fillsTheEntriesThatAreMissingAndAReadOfThemIsThenAHit() {
        String active = registered();
        internal.applyReport(report(version, active, VOL, 8, daysAgo(2)));
        internal.applyReport(report(version, active, SHIFT, 0, daysAgo(2)));
        String quiet = registered();
        redis.key().del(cache.key(active), cache.key(quiet));

        pass();

        ScoreCache.Entry filled = cache.read(active).orElseThrow();
        assertThat(filled.version()).isEqualTo(3);
        assertThat(filled.score().score().score()).isEqualTo(50);
        assertThat(cache.read(quiet).orElseThrow().score().score().score()).as("registered, nothing reported").isZero();
        near.invalidate(active); // the read above is held in process now; this GetScore is to ask Redis
        long hitsBefore = keyspaceHits();
        var score = BearerAuth.as(scoreClient, DemoTokens.service())
                .getScore(GetScoreRequest.newBuilder().setParticipantId(active).build());
        assertThat(score.getScore()).isEqualTo(50);
        assertThat(keyspaceHits()).as("answered by the cache").isGreaterThan(hitsBefore);
    }

    @Test
    void repairsAStaleEntryAndRenewsTheTtlOfACurrentOne() {
        String stale = registered();
        internal.applyReport(report(version, stale, VOL, 8, daysAgo(2)));
        internal.applyReport(report(version, stale, SHIFT, 0, daysAgo(2)));
        LiveScore truth = cache.read(stale).orElseThrow().score();
        // What a write lost in a crash leaves: the score of an older version.
        redis.key().del(cache.key(stale));
        cache.write(new LiveScore(Tiers.NONE.scoreOf(stale, 999, truth.version() - 1, Instant.now()),
                truth.ruleTableVersion(), null), "");
        String current = registered();
        internal.applyReport(report(version, current, SHIFT, 0, daysAgo(1)));
        redis.key().pexpire(cache.key(current), 60_000);

        pass();

        ScoreCache.Entry repaired = cache.read(stale).orElseThrow();
        assertThat(repaired.version()).isEqualTo(truth.version());
        assertThat(repaired.score().score().score()).isEqualTo(50);
        assertThat(redis.key().pttl(cache.key(current))).as("renewed to the configured TTL")
                .isGreaterThan(Duration.ofMinutes(50).toMillis());
    }

    @Test
    void leavesACurrentEntryWithEnoughTimeToLiveAloneSoNearCachesKeepIt() throws InterruptedException {
        String current = registered();
        internal.applyReport(report(version, current, SHIFT, 0, daysAgo(1)));
        long left = cache.renewBelow().plusMinutes(5).toMillis();
        redis.key().pexpire(cache.key(current), left);
        NearAnnouncements.awaitAll(near, cache, redis); // the report's and the PEXPIRE's
        cache.read(current);
        assertThat(near.get(current)).isPresent();

        pass();

        assertThat(redis.key().pttl(cache.key(current))).as("not renewed: the keeper comes by again before it ends")
                .isBetween(1L, left);
        NearAnnouncements.awaitAll(near, cache, redis); // what a renewal would have announced
        assertThat(near.get(current)).as("so the near caches keep it").isPresent();
    }

    @Test
    void neverWritesAnErasedParticipant() {
        String gone = registered();
        internal.applyReport(report(version, gone, SHIFT, 0, daysAgo(1)));
        String tombstoned = registered();
        erase(gone);
        erase(tombstoned);
        redis.key().del(cache.key(gone));

        pass();

        assertThat(redis.key().exists(cache.key(gone))).as("not brought back").isFalse();
        assertThat(cache.read(tombstoned).orElseThrow().erased()).as("the tombstone stays").isTrue();
    }

    @Test
    void aColdCacheIsFilledPastTheTicksShareWhileAWarmOneGetsOnlyItsShare() {
        for (int i = 0; i < 45; i++) {
            registered();
        }
        pass();
        long share = LiveScoreKeeper.share(scores.registeredCount(), Duration.ofMinutes(15), Duration.ofSeconds(1));
        assertThat(share).as("the test database holds fewer than 18,000 participants").isLessThan(20);
        LiveScoreKeeper.Tick warm = keeper.tick(Instant.now());
        assertThat(warm.leased()).isTrue();
        assertThat(warm.handled()).as("exactly its share (the schedule is off here: one-second ticks)")
                .isEqualTo((int) share);
        assertThat(warm.written() * 2).as("the entries were there").isLessThanOrEqualTo(warm.handled());

        redis.execute("FLUSHDB");
        LiveScoreKeeper.Tick cold = keeper.tick(Instant.now());
        assertThat(cold.handled()).as("went on past its share while batches found entries missing")
                .isGreaterThan(20);
        assertThat(cold.written()).isEqualTo(cold.handled());
    }

    @Test
    void standsAsideWhileAnotherInstanceHoldsTheLease() {
        String missing = registered();
        redis.key().del(cache.key(missing));
        redis.value(String.class).set(cache.keeperKey("lease"), "keeper-elsewhere");
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(keeper.tick(Instant.now())).isEqualTo(new LiveScoreKeeper.Tick(false, 0, 0, false));
            }
            assertThat(redis.key().exists(cache.key(missing))).isFalse();
        } finally {
            redis.key().del(cache.keeperKey("lease"));
        }
        pass();
        assertThat(redis.key().exists(cache.key(missing))).as("taken over once the lease was free").isTrue();
    }

    @Test
    void aTickTakesItsShareOfAPassWithinTheRefreshPeriod() {
        assertThat(LiveScoreKeeper.share(1_000_000, Duration.ofMinutes(15), Duration.ofSeconds(1))).isEqualTo(1_112);
        assertThat(LiveScoreKeeper.share(900, Duration.ofMinutes(15), Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(LiveScoreKeeper.share(0, Duration.ofMinutes(15), Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(LiveScoreKeeper.share(10_000, Duration.ofSeconds(10), Duration.ofMillis(200))).isEqualTo(200);
        assertThat(LiveScoreKeeper.interval("0.2s")).isEqualTo(Duration.ofMillis(200));
        assertThat(LiveScoreKeeper.interval("PT2S")).isEqualTo(Duration.ofSeconds(2));
        assertThat(LiveScoreKeeper.interval("off")).isEqualTo(Duration.ofSeconds(1));
        assertThat(LiveScoreKeeper.share(1_000_000, Duration.ofMinutes(15), Duration.ofMillis(100))).isEqualTo(112);
        assertThat(LiveScoreKeeper.leaseTime(Duration.ofMillis(100))).isEqualTo(Duration.ofSeconds(10));
        assertThat(LiveScoreKeeper.leaseTime(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(50));
    }

    @Test
    void aTtlShorterThanTwoRefreshPeriodsIsRefused() {
        LiveScoreKeeper.requireTtlCoversRefresh(Duration.ofHours(1), Duration.ofMinutes(15));
        assertThatThrownBy(() -> LiveScoreKeeper.requireTtlCoversRefresh(Duration.ofMinutes(20),
                Duration.ofMinutes(15))).hasMessageContaining("scoring.live.ttl");
        assertThatThrownBy(() -> LiveScoreKeeper.requireTtlCoversRefresh(Duration.ofHours(1), Duration.ZERO))
                .hasMessageContaining("positive");
    }

    /** Ticks through one whole pass over every registered participant, from the start. */
    private void pass() {
        cache.keeperCursor("");
        for (int i = 0; i < 10_000; i++) {
            LiveScoreKeeper.Tick tick = keeper.tick(Instant.now());
            assertThat(tick.leased()).isTrue();
            if (tick.passEnded()) {
                return;
            }
        }
        throw new AssertionError("no pass ended in 10,000 ticks");
    }

    private String registered() {
        return ScoringFixtures.register(internal, "keeper-test-" + newId());
    }

    private void erase(String participantId) {
        internal.eraseParticipant(EraseParticipantRequest.newBuilder().setIdempotencyKey(newId())
                .setParticipantId(participantId).build());
    }

    private long keyspaceHits() {
        for (String line : redis.execute("INFO", "stats").toString().split("\r?\n")) {
            if (line.startsWith("keyspace_hits:")) {
                return Long.parseLong(line.substring(14).trim());
            }
        }
        throw new AssertionError("no keyspace_hits in INFO stats");
    }
}
