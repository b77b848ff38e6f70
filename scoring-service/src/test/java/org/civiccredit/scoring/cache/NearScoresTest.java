package org.civiccredit.scoring.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.TierDefinition;
import org.civiccredit.scoring.domain.Tiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The near cache against the real Redis (database 1): what it holds is dropped when any client changes the key,
 * when Redis is flushed and when its tracking connection is lost; an answer whose key changed while it was on its
 * way is not kept; and its warmer fills it from Redis once reads find it cold.
 */
@QuarkusTest
class NearScoresTest {

    private static final Tiers TIERS = new Tiers(3, List.of(new TierDefinition("Bronze", 50)));
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Inject
    NearScores near;

    @Inject
    NearScoreWarmer warmer;

    @Inject
    ScoreCache cache;

    @Inject
    LiveScores liveScores;

    @Inject
    RedisDataSource redis;

    private final List<String> participants = new ArrayList<>();

    @AfterEach
    void deleteOwnKeys() {
        participants.forEach(id -> redis.key().del(cache.key(id)));
    }

    @Test
    void anEntryReadFromRedisIsHeldUntilAnotherClientChangesIt() {
        String id = cached(4, 60);
        assertThat(near.get(id)).as("nothing held before a read").isEmpty();
        assertThat(cache.read(id).orElseThrow().version()).isEqualTo(4);
        assertThat(near.get(id).orElseThrow().score().score().score()).isEqualTo(60);

        redis.hash(String.class).hset(cache.key(id), "score", "75"); // another client: no local invalidation
        awaitTrue(() -> near.get(id).isEmpty(), "Redis announced the change, and the entry was dropped");
        assertThat(cache.read(id).orElseThrow().score().score().score()).isEqualTo(75);
        assertThat(near.get(id).orElseThrow().score().score().score()).as("held again, as changed").isEqualTo(75);
    }

    @Test
    void anAnswerIsNotKeptWhenItsKeyChangedWhileTheReadWasOnItsWay() {
        String id = cached(1, 10);
        ScoreCache.Entry before = cache.read(id).orElseThrow();
        near.invalidate(id);

        NearScores.Ticket ticket = near.reserve(id); // the read is sent...
        assertThat(ticket).isNotNull();
        assertThat(near.reserve(id)).as("one read at a time keeps its answer").isNull();
        redis.hash(String.class).hset(cache.key(id), "score", "99"); // ...the key changes before it answers...
        awaitTrue(() -> !near.holds(id), "the announcement removed the read's ticket");
        near.fill(id, ticket, Optional.of(before)); // ...and the older answer arrives

        assertThat(near.get(id)).as("the answer older than the change is not kept").isEmpty();
        assertThat(cache.read(id).orElseThrow().score().score().score()).isEqualTo(99);
        assertThat(near.get(id).orElseThrow().score().score().score()).isEqualTo(99);
    }

    @Test
    void aFlushDropsEverythingHeld() {
        String first = cached(1, 10);
        String second = cached(2, 20);
        cache.read(first);
        cache.read(second);
        assertThat(near.get(first)).isPresent();
        assertThat(near.get(second)).isPresent();

        assertThat(redis.execute("CLIENT", "INFO").toString()).as("only ever the tests' database").contains(" db=1 ");
        redis.execute("FLUSHDB");
        awaitTrue(() -> !near.holds(first) && !near.holds(second), "the flush was announced");
    }

    @Test
    void losingTheTrackingConnectionDropsEverythingAndAChangeMadeMeanwhileIsNotServedStale() {
        String id = cached(1, 10);
        cache.read(id);
        assertThat(near.get(id)).isPresent();
        long trackingClient = near.trackingClientId();
        assertThat(trackingClient).isPositive();

        redis.execute("CLIENT", "KILL", "ID", Long.toString(trackingClient));
        awaitTrue(() -> !near.holds(id), "everything held was dropped with the connection");
        // A change while announcements may be missed: nothing held from before may answer for it.
        redis.hash(String.class).hset(cache.key(id), "score", "42");
        awaitTrue(() -> near.tracking() && near.trackingClientId() != trackingClient, "tracking Redis again");
        assertThat(near.get(id)).isEmpty();
        assertThat(liveScores.live(id, NOW).orElseThrow().score().score()).isEqualTo(42);
        assertThat(near.get(id).orElseThrow().score().score().score()).isEqualTo(42);
    }

    @Test
    void theWarmerWalksRedisOnceReadsFindTheNearCacheColdAndNotWhileItIsWarm() {
        settleWarmer();
        List<String> read = new ArrayList<>();
        for (int i = 0; i < NearScoreWarmer.MIN_MISSES; i++) {
            read.add(cached(1, i));
        }
        List<String> notRead = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            notRead.add(cached(1, 100 + i));
        }
        // Reads that miss here and find their entry in Redis: the near cache is cold.
        read.forEach(id -> assertThat(liveScores.live(id, NOW)).isPresent());
        assertThat(notRead).noneMatch(near::holds);

        NearScoreWarmer.Step step = walk(System.nanoTime() + 2_000_000_000L);
        assertThat(step.walking()).as("the walk started").isTrue();
        assertThat(notRead).as("entries nobody read yet, filled by the walk").allMatch(id -> near.get(id).isPresent());
        assertThat(near.get(notRead.get(7)).orElseThrow().score().score().score()).isEqualTo(107);

        // Now every read is answered here: no walk.
        read.forEach(id -> assertThat(liveScores.live(id, NOW)).isPresent());
        notRead.forEach(id -> assertThat(liveScores.live(id, NOW)).isPresent());
        assertThat(warmer.step(System.nanoTime() + 4_000_000_000L)).isEqualTo(NearScoreWarmer.Step.IDLE);
    }

    @Test
    void theWellnessCheckShowsWhatIsHeldAndThatItTracksRedis() {
        String id = cached(1, 10);
        long hitsBefore = near.hits();
        cache.read(id);
        assertThat(liveScores.live(id, NOW)).isPresent();
        String check = "checks.find { it.name == 'live scores near cache' }.";
        given().when().get("/q/health/well").then().statusCode(200)
                .body(check + "status", is("UP"))
                .body(check + "data.tracking", is(true))
                .body(check + "data.walking", is(false))
                .body(check + "data.held", greaterThanOrEqualTo(1))
                .body(check + "data.max", is(1_000_000))
                .body(check + "data.hits", greaterThanOrEqualTo((int) hitsBefore + 1));
    }

    /** Steps the warmer from {@code start} until a walk ends (at most a minute); the first step. */
    private NearScoreWarmer.Step walk(long start) {
        NearScoreWarmer.Step first = warmer.step(start);
        NearScoreWarmer.Step step = first;
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (step.walking() && !step.walkEnded() && System.nanoTime() < deadline) {
            step = warmer.step(System.nanoTime());
        }
        return first;
    }

    /** Lets the warmer count from now: the reads of earlier tests end their window (and any walk they start). */
    private void settleWarmer() {
        walk(System.nanoTime() + 1_000_000_000L);
        warmer.step(System.nanoTime() + 1_000_000_000L);
    }

    /** A fresh participant whose entry (version, score) is in Redis and not held here. */
    private String cached(long version, long sum) {
        String id = UUID.randomUUID().toString();
        participants.add(id);
        assertThat(cache.write(new LiveScore(TIERS.scoreOf(id, sum, version, NOW), TIERS.ruleTableVersion(), null),
                "")).isTrue();
        NearAnnouncements.awaitAll(near, cache, redis); // the write's own announcement, so it drops no later read
        return id;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as(what).isNegative();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
