package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.scoring.cache.NearAnnouncements;
import org.civiccredit.scoring.cache.NearScores;
import org.civiccredit.scoring.cache.ScoreCache;
import org.junit.jupiter.api.Test;

/**
 * GetScore through the near cache: a score Redis answered once is answered in process after that, without a
 * round trip, and still every change is seen: one made through this instance at once, one written to Redis by
 * another client as soon as Redis announces it.
 */
@QuarkusTest
class NearScoreGrpcServiceTest extends ScoringGrpcTest {

    private static final Pattern HMGET_CALLS = Pattern.compile("cmdstat_hmget:calls=(\\d+)");

    @Inject
    RedisDataSource redis;

    @Inject
    ScoreCache cache;

    @Inject
    NearScores near;

    @Test
    void repeatedReadsAreAnsweredInProcessAndEveryChangeIsSeen() throws InterruptedException {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), VOL, 8, daysAgo(2)));
        NearAnnouncements.awaitAll(near, cache, redis); // the report's write, lest it drop the read below
        GetScoreRequest byId = GetScoreRequest.newBuilder().setParticipantId(pat.participantId()).build();
        Score first = asService.getScore(byId);
        assertThat(near.get(pat.participantId())).as("held after Redis answered").isPresent();

        long before = hmgetCalls();
        for (int i = 0; i < 50; i++) {
            assertThat(asService.getScore(byId).toBuilder().clearAsOf().build())
                    .isEqualTo(first.toBuilder().clearAsOf().build());
        }
        assertThat(hmgetCalls() - before).as("Redis reads for 50 GetScore calls of a held score").isLessThan(5);

        internal.applyReport(report(version, pat.participantId(), SHIFT, 0, daysAgo(1)));
        Score afterReport = asService.getScore(byId);
        assertThat(afterReport.getVersion()).as("a change made here, seen at once").isEqualTo(first.getVersion() + 1);
        assertThat(afterReport.getScore()).isGreaterThan(first.getScore());

        // Another instance's write, as it lands in Redis.
        long elsewhere = afterReport.getScore() + 1000;
        redis.hash(String.class).hset(cache.key(pat.participantId()), "score", Long.toString(elsewhere));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (asService.getScore(byId).getScore() != elsewhere) {
            assertThat(System.nanoTime() - deadline).as("the change written elsewhere, seen").isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void anErasureTheNearCacheHoldsIsNotFoundWithoutARoundTrip() {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        internal.applyReport(report(version, pat.participantId(), VOL, 4, daysAgo(2)));
        GetScoreRequest byId = GetScoreRequest.newBuilder().setParticipantId(pat.participantId()).build();
        asService.getScore(byId);
        internal.eraseParticipant(EraseParticipantRequest.newBuilder().setIdempotencyKey(newId())
                .setParticipantId(pat.participantId()).build());
        NearAnnouncements.awaitAll(near, cache, redis); // the tombstone's write

        assertThatThrownBy(() -> asService.getScore(byId)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThat(near.get(pat.participantId())).as("the erasure's tombstone, held after Redis answered")
                .hasValueSatisfying(entry -> assertThat(entry.erased()).isTrue());
        long before = hmgetCalls();
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> asService.getScore(byId)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        }
        assertThat(hmgetCalls() - before).as("Redis reads for 20 GetScore calls of a held erasure").isLessThan(3);
    }

    private long hmgetCalls() {
        Matcher calls = HMGET_CALLS.matcher(redis.execute("INFO", "commandstats").toString());
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }
}
