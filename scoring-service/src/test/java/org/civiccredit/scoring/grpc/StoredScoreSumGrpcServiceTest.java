package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.DAY_SECONDS;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.fixedRule;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.Tier;
import org.civiccredit.api.scoring.v1.UnfreezeEventRequest;
import org.civiccredit.scoring.cache.ScoreCache;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.service.Scores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The score sum stored in the participant row ({@code participant.score_sum} with {@code score_valid_until}):
 * after every kind of change it equals what summing the participant's events gives; it is not used once a
 * window has ended; and ApplyReport and GetScore use it (and this instance's current tiers) instead of summing
 * the events (and querying the tiers), which the tests show by changing those tables behind the service's back.
 */
@QuarkusTest
class StoredScoreSumGrpcServiceTest extends ScoringGrpcTest {

    /** Per hour +5, at most 8 hours per report, at most 50 per day, for a year. */
    private static final String HOURS = "S_VOL_HOUR";
    /** Fixed +10 for a year. */
    private static final String SHIFT = "S_SHIFT";
    /** Fixed -10 for a year. */
    private static final String MISSED = "S_MISSED";
    /** Fixed +7 for one day. */
    private static final String BRIEF = "S_BRIEF";
    /** Fixed -3 for two days. */
    private static final String SLIP = "S_SLIP";

    /** The sum and window end as summing the events gives them (the query the service used on every change). */
    private static final String SUM_OF_EVENTS = """
            SELECT COALESCE(SUM(CASE WHEN status = 'COUNTING' THEN delta WHEN delta > 0 THEN delta ELSE 0 END), 0),
                   MIN(counts_until) FILTER (WHERE status = 'COUNTING' OR delta > 0)
            FROM score_event
            WHERE participant_id = ? AND status IN ('COUNTING', 'FROZEN') AND counts_until > now()""";

    @Inject
    AgroalDataSource db;

    @Inject
    RedisDataSource redis;

    @Inject
    ScoreCache cache;

    @Inject
    Scores scores;

    String tierName;

    @BeforeEach
    void setUp() {
        com.google.protobuf.Duration year = seconds(365 * DAY_SECONDS);
        Rule hours = Rule.newBuilder().setCode(HOURS).setCategory(ConductCategory.VOLUNTEERING)
                .setTitle("Volunteering hours").setScoreDelta(5).setPerUnit(true).setUnitCap(8).setUnitName("hour")
                .setAwardPoints(10).setCapPerPeriod(50).setCapPeriod(CapPeriod.CAP_PERIOD_DAY).setCountsFor(year)
                .build();
        Rule missed = deduction(MISSED, -10, year);
        Rule slip = deduction(SLIP, -3, seconds(2 * DAY_SECONDS));
        tierName = "Ember-" + newId().substring(0, 8);
        version = ScoringFixtures.publishTable(ruleTables, List.of(hours, fixedRule(SHIFT, 10, 4, Duration.ofDays(365)),
                missed, fixedRule(BRIEF, 7, 1, Duration.ofDays(1)), slip),
                Tier.newBuilder().setName(tierName).setThreshold(15).build(),
                Tier.newBuilder().setName("Flame-" + newId().substring(0, 8)).setThreshold(100).build());
    }

    @Test
    void theStoredSumEqualsTheSumOfTheEventsAfterEveryKindOfChange() throws Exception {
        String pat = ScoringFixtures.register(internal, newId());
        assertStoredSum(pat, 0, false);

        apply(pat, HOURS, 8, daysAgo(2));
        assertStoredSum(pat, 40, true);
        ScoreEvent capped = apply(pat, HOURS, 8, daysAgo(2));
        assertThat(capped.getCapped()).isTrue();
        assertThat(capped.getDelta()).isEqualTo(10);
        assertStoredSum(pat, 50, true);
        ScoreEvent shift = apply(pat, SHIFT, 0, daysAgo(3));
        ScoreEvent missed = apply(pat, MISSED, 0, daysAgo(1));
        assertStoredSum(pat, 50, true);

        ScoreEvent ended = apply(pat, BRIEF, 0, daysAgo(3));
        assertThat(instant(ended.getCountsUntil())).as("its window ended before it was applied")
                .isBefore(Instant.now());
        assertStoredSum(pat, 50, true);
        ScoreEvent brief = apply(pat, BRIEF, 0, Instant.now().minusSeconds(3600));
        assertStoredSum(pat, 57, true);
        assertThat(validUntil(pat)).as("the one-day event ends first").isEqualTo(instant(brief.getCountsUntil()));
        ScoreEvent slip = apply(pat, SLIP, 0, Instant.now().minusSeconds(3600));
        assertStoredSum(pat, 54, true);

        freeze(shift);
        assertStoredSum(pat, 54, true);
        freeze(missed);
        assertStoredSum(pat, 64, true);
        reverse(brief);
        assertThat(validUntil(pat)).as("the next window end, after the one that ended it stopped counting")
                .isEqualTo(instant(slip.getCountsUntil()));
        assertStoredSum(pat, 57, true);
        freeze(slip);
        assertStoredSum(pat, 60, true);
        unfreeze(slip);
        assertThat(validUntil(pat)).isEqualTo(instant(slip.getCountsUntil()));
        assertStoredSum(pat, 57, true);
        unfreeze(missed);
        assertStoredSum(pat, 47, true);
        reverse(shift);
        assertStoredSum(pat, 37, true);
        freeze(missed);
        reverse(missed);
        assertStoredSum(pat, 47, true);
        reverse(slip);
        assertStoredSum(pat, 50, true);
        assertThat(asService.getScore(byId(pat)).getScore()).isEqualTo(50);

        internal.eraseParticipant(EraseParticipantRequest.newBuilder().setIdempotencyKey(newId())
                .setParticipantId(pat).build());
        assertThat(storedSum(pat)).as("an erased participant has no events, so nothing").isEqualTo(new Stored(0L, null));
    }

    @Test
    void aStoredSumWhoseWindowHasEndedIsNotUsedAndTheSweepStoresTheNewSum() throws Exception {
        String shortLived = "S_SHORT_" + newId().substring(0, 8).toUpperCase();
        long table = ScoringFixtures.publishTable(ruleTables, List.of(fixedRule(SHIFT, 10, 0, Duration.ofDays(30)),
                fixedRule(BRIEF, 7, 0, Duration.ofDays(1)), fixedRule(shortLived, 6, 0, Duration.ofSeconds(10))));
        String pat = ScoringFixtures.register(internal, newId());
        ScoreEvent shift = internal.applyReport(report(table, pat, SHIFT, 0, daysAgo(1)));
        ScoreEvent brief = internal.applyReport(report(table, pat, BRIEF, 0, Instant.now().minusSeconds(3600)));
        Stored stored = storedSum(pat);
        assertThat(stored).isEqualTo(new Stored(17L, instant(brief.getCountsUntil())));

        // Two days on, the one-day event no longer counts, although the stored sum (written before) includes it.
        Instant later = Instant.now().plus(Duration.ofDays(2));
        LiveScore then = scores.live(pat, later).orElseThrow();
        assertThat(then.score().score()).as("summed again, not the stored 17").isEqualTo(10);
        assertThat(then.validUntil()).isEqualTo(instant(shift.getCountsUntil()));
        assertThat(storedSum(pat)).as("a read does not write").isEqualTo(stored);

        // A window that really ends (ten seconds on, so the sum is read before): the expiry sweep sums the events
        // again and stores the result.
        internal.applyReport(report(table, pat, shortLived, 0, Instant.now()));
        assertThat(storedSum(pat).sum()).isEqualTo(23);
        long versionBefore = scoreVersion(pat);
        Instant deadline = Instant.now().plusSeconds(30);
        while (scoreVersion(pat) == versionBefore && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(scoreVersion(pat)).as("the sweep bumped the version").isEqualTo(versionBefore + 1);
        assertThat(storedSum(pat)).isEqualTo(new Stored(17L, instant(brief.getCountsUntil())));
        assertStoredSum(pat, 17, true);
        assertThat(asService.getScore(byId(pat)).getScore()).isEqualTo(17);
    }

    @Test
    void applyReportAndAGetScoreMissUseTheStoredSumInsteadOfSummingTheEvents() throws Exception {
        String pat = ScoringFixtures.register(internal, newId());
        ScoreEvent first = apply(pat, SHIFT, 0, daysAgo(2));
        apply(pat, SHIFT, 0, daysAgo(2));
        try {
            // Behind the service's back: an event counts 1,000. Summing the events would now give 1,010.
            update("UPDATE score_event SET delta = 1000 WHERE event_id = CAST(? AS uuid)", first.getEventId());
            evict(pat);
            assertThat(asService.getScore(byId(pat)).getScore()).as("a miss reads the stored sum").isEqualTo(20);

            apply(pat, SHIFT, 0, daysAgo(1));
            assertThat(cache.read(pat).orElseThrow().score().score().score())
                    .as("the change added its delta to the stored sum").isEqualTo(30);
            evict(pat);
            Score after = asService.getScore(byId(pat));
            assertThat(after.getScore()).isEqualTo(30);
            assertThat(after.getVersion()).isEqualTo(4);
        } finally {
            update("UPDATE score_event SET delta = 10 WHERE event_id = CAST(? AS uuid)", first.getEventId());
        }
        assertStoredSum(pat, 30, true);
    }

    @Test
    void applyReportAndAGetScoreMissPlaceTheScoreInTheTiersKnownHereInsteadOfQueryingThem() throws Exception {
        String pat = ScoringFixtures.register(internal, newId());
        apply(pat, SHIFT, 0, daysAgo(2));
        assertThat(asService.getScore(byId(pat)).hasTier()).isFalse();
        try {
            // Behind the service's back: the first tier needs 25 instead of 15. Tiers read from PostgreSQL would
            // now put a score of 10 15 points below it and leave 20 without a tier; the tiers of the published
            // table (as this instance holds them since it published it) do neither.
            update("UPDATE tier SET threshold = 25 WHERE version = ? AND name = ?", version, tierName);
            evict(pat);
            Score miss = asService.getScore(byId(pat));
            assertThat(miss.hasTier()).isFalse();
            assertThat(miss.getPointsToNextTier()).as("a miss places the score in the tiers known here").isEqualTo(5);

            apply(pat, SHIFT, 0, daysAgo(1));
            LiveScore cached = cache.read(pat).orElseThrow().score();
            assertThat(cached.score().score()).isEqualTo(20);
            assertThat(cached.ruleTableVersion()).isEqualTo(version);
            assertThat(cached.score().tier().name()).isEqualTo(tierName);
            assertThat(cached.score().pointsToNextTier()).as("to the next tier at 100").isEqualTo(80);
        } finally {
            update("UPDATE tier SET threshold = 15 WHERE version = ? AND name = ?", version, tierName);
        }
    }

    private ScoreEvent apply(String participantId, String rule, int quantity, Instant occurredAt) {
        ApplyReportRequest request = report(version, participantId, rule, quantity, occurredAt);
        return internal.applyReport(request);
    }

    private void freeze(ScoreEvent event) {
        internal.freezeEvent(FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(event.getReportId()).build());
    }

    private void unfreeze(ScoreEvent event) {
        internal.unfreezeEvent(UnfreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(event.getReportId()).build());
    }

    private void reverse(ScoreEvent event) {
        internal.reverseEvent(ReverseEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(event.getReportId()).setReason("overturned on review")
                .setCause(ReversalCause.REVERSAL_CAUSE_CONTEST_OVERTURNED).build());
    }

    private record Stored(Long sum, Instant validUntil) {
    }

    /** The stored sum and window end equal summing the events now, and the sum is {@code expected}. */
    private void assertStoredSum(String participantId, long expected, boolean anyWindow) throws SQLException {
        Stored stored = storedSum(participantId);
        Stored summed;
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(SUM_OF_EVENTS)) {
            s.setString(1, participantId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                summed = new Stored(r.getLong(1), toInstant(r.getTimestamp(2)));
            }
        }
        assertThat(stored).as("stored sum and window end against the events summed").isEqualTo(summed);
        assertThat(stored.sum()).isEqualTo(expected);
        assertThat(stored.validUntil() != null).as("a contributing event's window ends").isEqualTo(anyWindow);
    }

    private Stored storedSum(String participantId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT score_sum, score_valid_until FROM participant WHERE participant_id = ?")) {
            s.setString(1, participantId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                long sum = r.getLong(1);
                return new Stored(r.wasNull() ? null : sum, toInstant(r.getTimestamp(2)));
            }
        }
    }

    private Instant validUntil(String participantId) throws SQLException {
        return storedSum(participantId).validUntil();
    }

    private long scoreVersion(String participantId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT score_version FROM participant WHERE participant_id = ?")) {
            s.setString(1, participantId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private void update(String sql, Object... parameters) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private void evict(String participantId) {
        redis.key().del(cache.key(participantId));
    }

    private static Instant instant(com.google.protobuf.Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static Instant toInstant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Rule deduction(String code, long delta, com.google.protobuf.Duration countsFor) {
        return Rule.newBuilder().setCode(code).setCategory(ConductCategory.PROGRAM_CONDUCT)
                .setTitle("Test deduction " + code).setScoreDelta(delta).setCapPerPeriod(30)
                .setCapPeriod(CapPeriod.CAP_PERIOD_WEEK).setCountsFor(countsFor).build();
    }

    private static com.google.protobuf.Duration seconds(long seconds) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).build();
    }

    private static GetScoreRequest byId(String participantId) {
        return GetScoreRequest.newBuilder().setParticipantId(participantId).build();
    }
}
