package org.civiccredit.scoring.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.domain.ScoreChangeCause;
import org.civiccredit.scoring.domain.TierDefinition;
import org.civiccredit.scoring.domain.Tiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The live score cache against the real Redis (database 1): the Lua script keeps the newer value whatever
 * order writes arrive in, and publishes a change unless a newer score is stored already.
 */
@QuarkusTest
class ScoreCacheTest {

    private static final Tiers TIERS = new Tiers(3, List.of(new TierDefinition("Bronze", 50),
            new TierDefinition("Silver", 200)));
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @Inject
    ScoreCache cache;

    @Inject
    RedisDataSource redis;

    @Inject
    ScoringConfig config;

    private final String participant = UUID.randomUUID().toString();

    @AfterEach
    void deleteOwnKey() {
        redis.key().del(cache.key(participant));
    }

    @Test
    void aLateWriteWithAnOlderVersionDoesNotOverwriteANewerScore() {
        assertThat(cache.write(live(7, 120, null), "")).isTrue();
        assertThat(cache.write(live(6, 60, null), "")).as("the late, older write").isFalse();

        ScoreCache.Entry entry = cache.read(participant).orElseThrow();
        assertThat(entry.version()).isEqualTo(7);
        assertThat(entry.score().score().score()).isEqualTo(120);
        assertThat(entry.score().score().tier().name()).isEqualTo("Bronze");
        assertThat(entry.score().score().nextTierName()).isEqualTo("Silver");
        assertThat(entry.score().score().pointsToNextTier()).isEqualTo(80);
        assertThat(entry.score().ruleTableVersion()).isEqualTo(3);
        assertThat(entry.score().validUntil()).isNull();
        assertThat(redis.key().pttl(cache.key(participant))).isBetween(1L, config.live().ttl().toMillis());

        assertThat(cache.write(live(8, 30, null), "")).as("a newer write").isTrue();
        assertThat(cache.read(participant).orElseThrow().score().score().score()).isEqualTo(30);
    }

    @Test
    void atTheSameVersionTheScoreComputedAfterMoreWindowsEndedWins() {
        Instant firstEnd = NOW.plusSeconds(60);
        Instant secondEnd = NOW.plusSeconds(3600);
        assertThat(cache.write(live(4, 90, firstEnd), "")).isTrue();
        assertThat(cache.write(live(4, 70, secondEnd), "")).as("recomputed after the first window ended").isTrue();
        assertThat(cache.write(live(4, 90, firstEnd), "")).as("a late write computed before it ended").isFalse();

        LiveScore cached = cache.read(participant).orElseThrow().score();
        assertThat(cached.score().score()).isEqualTo(70);
        assertThat(cached.validUntil()).isEqualTo(secondEnd);
        assertThat(cached.validAt(secondEnd.minusMillis(1))).isTrue();
        assertThat(cached.validAt(secondEnd)).isFalse();
    }

    @Test
    void anErasureOutranksEveryEarlierScore() {
        cache.write(live(5, 40, null), "");
        assertThat(cache.writeErased(participant, 6, "")).isTrue();
        assertThat(cache.write(live(5, 40, null), "")).isFalse();
        assertThat(cache.read(participant).orElseThrow().erased()).isTrue();
    }

    @Test
    void aChangeIsPublishedUnlessANewerScoreIsStoredAlready() throws InterruptedException {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        PubSubCommands.RedisSubscriber subscriber = redis.pubsub(String.class)
                .subscribe(config.live().channel(), message -> {
                    if (message.contains(participant)) {
                        received.add(message);
                    }
                });
        try {
            LiveScore v2 = live(2, 10, null);
            cache.write(v2, ScoreChangeMessage.encode(ScoreChange.of(v2, ScoreChangeCause.REPORT_APPLIED, null)));
            String published = received.poll(10, TimeUnit.SECONDS);
            assertThat(published).isNotNull();
            ScoreChange decoded = ((ScoreChangeMessage.Change) ScoreChangeMessage.decode(published)).change();
            assertThat(decoded).isEqualTo(ScoreChange.of(v2, ScoreChangeCause.REPORT_APPLIED, null));

            LiveScore v1 = live(1, 0, null);
            cache.write(v1, ScoreChangeMessage.encode(ScoreChange.of(v1, ScoreChangeCause.CURRENT, null)));
            cache.write(v2, ""); // a refill announces nothing
            assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("nothing older, nothing for a refill").isNull();
        } finally {
            subscriber.unsubscribe();
        }
    }

    /**
     * The keeper's batch and a request's write both time out while Redis holds writes; only the request's
     * failure cools the cache down. Reads (not held) keep coming from Redis after the keeper's failure.
     */
    @Test
    void aKeeperBatchThatTimesOutDoesNotSendReadersToPostgresButARequestWriteDoes() throws Exception {
        cache.write(live(1, 10, null), "");
        RedisPause.writes(config.live().writeTimeout().multipliedBy(10)); // ended below, at once
        try {
            assertThatThrownBy(() -> cache.writeAll(List.of(live(2, 20, null))))
                    .isInstanceOf(ScoreCache.Unavailable.class);
            assertThat(cache.available()).as("the keeper's failure leaves the cache to the readers").isTrue();
            assertThat(cache.read(participant).orElseThrow().version()).isEqualTo(1);

            assertThatThrownBy(() -> cache.write(live(3, 30, null), "")).isInstanceOf(ScoreCache.Unavailable.class);
            assertThat(cache.available()).as("a request's failed write cools the cache down").isFalse();
        } finally {
            RedisPause.end();
            awaitAvailable();
        }
    }

    /**
     * A write held past its timeout while Redis keeps answering other commands: this instance is behind, not
     * Redis, so the write waits for its answer instead of failing over and cooling the cache down.
     */
    @Test
    void aCommandPastItsTimeoutWaitsWhileRedisAnswersOthers() throws Exception {
        cache.write(live(1, 10, null), "");
        Duration held = config.live().writeTimeout().multipliedBy(2);
        RedisPause.writes(held);
        try {
            long start = System.nanoTime();
            CompletableFuture<Boolean> write = CompletableFuture.supplyAsync(() -> cache.write(live(2, 20, null), ""));
            while (!write.isDone() && System.nanoTime() - start < held.multipliedBy(3).toNanos()) {
                assertThat(cache.read(participant)).isPresent();
                Thread.sleep(50);
            }
            assertThat(write.get(1, TimeUnit.SECONDS)).as("written once Redis took writes again").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(config.live().writeTimeout());
            assertThat(cache.available()).isTrue();
            assertThat(cache.read(participant).orElseThrow().version()).isEqualTo(2);
        } finally {
            RedisPause.end();
            awaitAvailable();
        }
    }

    private void awaitAvailable() throws InterruptedException {
        long deadline = System.nanoTime() + config.live().cooldown().multipliedBy(3).toNanos();
        while (!cache.available() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(cache.available()).isTrue();
    }

    private LiveScore live(long version, long sum, Instant validUntil) {
        return new LiveScore(TIERS.scoreOf(participant, sum, version, NOW), TIERS.ruleTableVersion(), validUntil);
    }
}
