package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.MISSED;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.badFields;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.reasonOf;
import static org.civiccredit.scoring.grpc.ScoringFixtures.refused;
import static org.civiccredit.scoring.grpc.ScoringFixtures.register;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.civiccredit.api.scoring.v1.ApplyReportBatchRequest;
import org.civiccredit.api.scoring.v1.ApplyReportBatchResponse;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.ApplyReportResult;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.kit.grpc.ItemBatches;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.scoring.cache.LiveScores;
import org.civiccredit.scoring.cache.ScoreCache;
import org.junit.jupiter.api.Test;

/**
 * ApplyReportBatch, reports-service's relay's batched path: each report is applied as ApplyReport applies it (same
 * event, score, live cache entry and audit entry), the batch commits in one transaction, a refused report answers
 * only for itself, and a redelivered batch changes nothing.
 */
@QuarkusTest
class ApplyReportBatchGrpcServiceTest extends ScoringGrpcTest {

    @Inject
    AgroalDataSource db;

    @Inject
    ScoreCache cache;

    @Inject
    LiveScores liveScores;



    @Test
    void eachReportIsAppliedAsApplyReportWouldAndTheBatchCommitsOnce() {
        List<String> participants = List.of(register(internal, newId()), register(internal, newId()),
                register(internal, newId()));
        List<ApplyReportRequest> reports = participants.stream()
                .map(p -> report(version, p, VOL, 20, daysAgo(2))).toList();
        long mark = AuditEntries.last(db);

        ApplyReportBatchResponse response = internal.applyReportBatch(batch(reports));

        assertThat(response.getResultsList()).hasSize(3).allSatisfy(r -> assertThat(r.hasEvent()).isTrue());
        for (int i = 0; i < 3; i++) {
            ScoreEvent event = response.getResults(i).getEvent();
            assertThat(event.getReportId()).as("results in the request's order").isEqualTo(reports.get(i).getReportId());
            assertThat(event.getParticipantId()).isEqualTo(participants.get(i));
            assertThat(event.getDelta()).as("20 hours, 8 counted, 5 each").isEqualTo(40);
            assertThat(event.getAwardPoints()).isEqualTo(80);
            assertThat(asService.getScore(GetScoreRequest.newBuilder().setParticipantId(participants.get(i)).build())
                    .getScore()).isEqualTo(40);
            assertThat(cache.read(participants.get(i)).orElseThrow().score().score().score())
                    .as("live score written after the commit, before the call returned").isEqualTo(40);
        }
        assertThat(transactionsOf(reports)).as("transactions that wrote the three events").hasSize(1);
        assertThat(AuditEntries.byCallsAfter(db, mark)).filteredOn(e -> e.startsWith("ApplyReport |")).hasSize(3);
    }

    @Test
    void theBatchsLiveScoresGoToRedisTogetherInOneRoundTripAfterItCommits() {
        List<String> participants = List.of(register(internal, newId()), register(internal, newId()),
                register(internal, newId()), register(internal, newId()));
        List<ApplyReportRequest> reports = participants.stream()
                .map(p -> report(version, p, SHIFT, 0, daysAgo(1))).toList();
        long roundTrips = liveScores.changeWrites();
        long written = liveScores.changesWritten();

        internal.applyReportBatch(batch(reports));

        long changes = liveScores.changesWritten() - written;
        long trips = liveScores.changeWrites() - roundTrips;
        // The expiry sweep may commit changes of other participants meanwhile, in round trips of their own: it adds
        // as many trips at most as changes, so the four changes of the batch still show as three saved trips.
        assertThat(changes).as("the batch's four changes, and any the expiry sweep made").isGreaterThanOrEqualTo(4);
        assertThat(changes - trips).as("changes written in a round trip with another change of their transaction")
                .isGreaterThanOrEqualTo(3);
        for (String participant : participants) {
            ScoreCache.Entry entry = cache.read(participant).orElseThrow();
            assertThat(entry.score().score().score()).as("written before the call returned").isEqualTo(10);
            assertThat(entry.version()).isEqualTo(scoreVersion(participant));
        }
    }

    @Test
    void aRefusedReportAnswersForItselfAloneAndTheOthersAreApplied() {
        String pat = register(internal, newId());
        String sam = register(internal, newId());
        ApplyReportRequest first = report(version, pat, SHIFT, 0, daysAgo(1));
        ApplyReportRequest unregistered = report(version, newId(), SHIFT, 0, daysAgo(1));
        ApplyReportRequest malformed = report(version, sam, SHIFT, 0, daysAgo(1)).toBuilder().clearRuleCode().build();
        ApplyReportRequest unknownVersion = report(version + 1000, sam, SHIFT, 0, daysAgo(1));
        ApplyReportRequest last = report(version, sam, SHIFT, 0, daysAgo(1));

        List<ApplyReportResult> results = internal.applyReportBatch(
                batch(List.of(first, unregistered, malformed, unknownVersion, last))).getResultsList();

        assertThat(results).hasSize(5);
        assertThat(results.get(0).getEvent().getReportId()).isEqualTo(first.getReportId());
        assertThat(refusal(results.get(1))).isEqualTo("FAILED_PRECONDITION PARTICIPANT_NOT_REGISTERED");
        assertThat(refusal(results.get(2))).isEqualTo("INVALID_ARGUMENT INVALID_ARGUMENT");
        assertThat(badFields(ItemBatches.asException(results.get(2).getRefusal())))
                .containsExactly("rule_code");
        assertThat(refusal(results.get(3))).isEqualTo("FAILED_PRECONDITION RULE_VERSION_UNKNOWN");
        assertThat(results.get(4).getEvent().getReportId()).isEqualTo(last.getReportId());

        assertThat(score(pat)).isEqualTo(10);
        assertThat(score(sam)).as("only the applied report counts").isEqualTo(10);
        assertThat(transactionsOf(List.of(unregistered, malformed, unknownVersion))).as("refused: nothing kept")
                .isEmpty();
        assertThat(transactionsOf(List.of(first, last))).as("applied, each in its own transaction").hasSize(2);
    }

    @Test
    void aRedeliveredBatchReturnsTheFirstEventsAndChangesNothing() {
        String pat = register(internal, newId());
        String sam = register(internal, newId());
        List<ApplyReportRequest> reports = List.of(report(version, pat, VOL, 3, daysAgo(2)),
                report(version, sam, SHIFT, 0, daysAgo(2)));
        ApplyReportBatchResponse first = internal.applyReportBatch(batch(reports));
        long mark = AuditEntries.last(db);

        ApplyReportBatchResponse again = internal.applyReportBatch(batch(reports));

        assertThat(again).isEqualTo(first);
        assertThat(score(pat)).isEqualTo(15);
        assertThat(score(sam)).isEqualTo(10);
        assertThat(AuditEntries.byCallsAfter(db, mark)).as("a redelivery is not audited again").isEmpty();
        List<ApplyReportResult> conflicting = internal.applyReportBatch(
                batch(List.of(reports.get(0).toBuilder().setQuantity(4).build()))).getResultsList();
        assertThat(refusal(conflicting.get(0))).isEqualTo("ALREADY_EXISTS ALREADY_EXISTS");
    }

    @Test
    void oneParticipantsReportsInOneBatchCountAgainstTheSameCapAndTheCountersAreKept() {
        String pat = register(internal, newId());
        String sam = register(internal, newId());
        List<ApplyReportRequest> reports = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            reports.add(report(version, pat, SHIFT, 0, daysAgo(3)));
        }
        reports.add(1, report(version, sam, MISSED, 0, daysAgo(3)));
        reports.add(report(version, sam, MISSED, 0, daysAgo(3)));

        List<ApplyReportResult> results = internal.applyReportBatch(batch(reports)).getResultsList();

        assertThat(results).allSatisfy(r -> assertThat(r.hasEvent()).as(r.toString()).isTrue());
        assertThat(results.stream().filter(r -> r.getEvent().getParticipantId().equals(pat))
                .map(r -> r.getEvent().getDelta())).as("+10 each until the day's cap of 50 is used up, in order")
                .containsExactly(10L, 10L, 10L, 10L, 10L, 0L, 0L);
        assertThat(results.stream().filter(r -> r.getEvent().getParticipantId().equals(sam))
                .map(r -> r.getEvent().getDelta())).containsExactly(-10L, -10L);
        assertThat(score(pat)).isEqualTo(50);
        assertThat(score(sam)).as("-20, shown as 0: a score never falls below 0").isZero();
        assertThat(transactionsOf(reports)).as("one transaction for the batch").hasSize(1);
        // The counters the batch changed were written: a later report of the same day finds the cap used up.
        assertThat(internal.applyReport(report(version, pat, SHIFT, 0, daysAgo(3))).getDelta()).isZero();
        assertThat(internal.applyReport(report(version, sam, MISSED, 0, daysAgo(3))).getDelta())
                .as("the week's cap of 30 for deductions: 20 used, 10 left").isEqualTo(-10);
        assertThat(internal.applyReport(report(version, sam, MISSED, 0, daysAgo(3))).getDelta()).isZero();
    }

    @Test
    void theSameReportTwiceInOneBatchIsAppliedOnceAndAnsweredForBoth() {
        String pat = register(internal, newId());
        String sam = register(internal, newId());
        ApplyReportRequest twice = report(version, pat, VOL, 3, daysAgo(2));
        ApplyReportRequest other = report(version, sam, SHIFT, 0, daysAgo(2));
        ApplyReportRequest conflicting = twice.toBuilder().setQuantity(4).build();

        List<ApplyReportResult> results = internal.applyReportBatch(batch(List.of(twice, other, twice, conflicting)))
                .getResultsList();

        assertThat(results).hasSize(4);
        assertThat(results.get(2).getEvent()).as("the repeat answers with the event first recorded")
                .isEqualTo(results.get(0).getEvent());
        assertThat(results.get(1).getEvent().getReportId()).isEqualTo(other.getReportId());
        assertThat(refusal(results.get(3))).isEqualTo("ALREADY_EXISTS ALREADY_EXISTS");
        assertThat(score(pat)).as("counted once: 3 hours, 5 each").isEqualTo(15);
        assertThat(score(sam)).isEqualTo(10);
        assertThat(transactionsOf(List.of(twice)).values()).as("one event for the report").containsExactly(1);
    }

    @Test
    void theBatchItselfMustBeWellFormedAndComeFromAService() {
        String pat = register(internal, newId());
        List<ApplyReportRequest> tooMany = new ArrayList<>();
        for (int i = 0; i <= ItemBatches.MAX_ITEMS; i++) {
            tooMany.add(report(version, pat, SHIFT, 0, daysAgo(1)));
        }

        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT,
                () -> internal.applyReportBatch(batch(tooMany))))).containsExactly("reports");
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT,
                () -> internal.applyReportBatch(batch(List.of()))))).containsExactly("reports");
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT, () -> internal.applyReportBatch(
                batch(tooMany.subList(0, 2)).toBuilder().clearIdempotencyKey().build()))))
                .containsExactly("idempotency_key");
        refused(Status.Code.PERMISSION_DENIED, () -> BearerAuth.as(internalClient, DemoTokens.agencyGreenway())
                .applyReportBatch(batch(tooMany.subList(0, 2))));
        assertThat(transactionsOf(tooMany)).as("nothing applied").isEmpty();
        assertThat(score(pat)).isZero();
    }

    private static ApplyReportBatchRequest batch(List<ApplyReportRequest> reports) {
        return ApplyReportBatchRequest.newBuilder().setIdempotencyKey(newId()).addAllReports(reports).build();
    }

    private long score(String participant) {
        return asService.getScore(GetScoreRequest.newBuilder().setParticipantId(participant).build()).getScore();
    }

    /** The participant's score version as PostgreSQL has it. */
    private long scoreVersion(String participant) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT score_version FROM participant WHERE participant_id = ?")) {
            s.setString(1, participant);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "CODE REASON" of a refused item, as the relay reads a single call's status. */
    private static String refusal(ApplyReportResult result) {
        assertThat(result.hasRefusal()).as("refused: " + result).isTrue();
        StatusRuntimeException e = ItemBatches.asException(result.getRefusal());
        return e.getStatus().getCode() + " " + reasonOf(e);
    }

    /** The transactions (xmin) that wrote the reports' score events, by transaction: how many events each wrote. */
    private Map<String, Integer> transactionsOf(List<ApplyReportRequest> reports) {
        Map<String, Integer> transactions = new TreeMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT xmin::text FROM score_event WHERE report_id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("varchar", reports.stream().map(ApplyReportRequest::getReportId).toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    transactions.merge(r.getString(1), 1, Integer::sum);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return transactions;
    }
}
