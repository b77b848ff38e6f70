package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.MISSED;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.register;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.civiccredit.api.scoring.v1.ApplyReportBatchRequest;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.ApplyReportResult;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.kit.persistence.BatchScope;
import org.civiccredit.kit.testing.AtOnce;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.AcceptedReport;
import org.civiccredit.scoring.domain.CapPeriod;
import org.civiccredit.scoring.domain.ReversalCause;
import org.civiccredit.scoring.service.ScoreEvents;
import org.junit.jupiter.api.Test;

/**
 * The period-cap counters: written once per transaction with their final change (a new counter inserted with it, an
 * existing one updated once; nothing written for a change of 0), read without locks under the participant's row
 * lock, and still never letting concurrent reports exceed a cap. The row writes are PostgreSQL's own count for the
 * transaction ({@code pg_stat_xact_user_tables}), read at the start and the end of the transaction that applied the
 * reports. Until the thirtieth round of docs/performance.md a counter was created at 0, locked and then updated: one
 * insert and one update for a new counter.
 */
@QuarkusTest
class CapCountersGrpcServiceTest extends ScoringGrpcTest {

    @Inject
    ScoreEvents scoreEvents;

    @Inject
    BatchScope batch;

    @Inject
    EntityManager em;

    @Inject
    AgroalDataSource db;

    @Inject
    ScoringConfig config;

    /** Rows of cap_usage a transaction inserted and updated. */
    record Writes(long inserted, long updated) {
    }

    @Test
    void aReportInsertsItsNewCountersWithTheirChangeAndUpdatesExistingOnesOnce() {
        String sam = register(internal, newId());
        Instant day = daysAgo(3);

        Writes first = inOneTransaction(() -> scoreEvents.apply(deduction(sam, day)).value().delta());
        assertThat(first).as("day, week, month and year: four new counters, each written once")
                .isEqualTo(new Writes(4, 0));
        AcceptedReport second = deduction(sam, day);
        assertThat(inOneTransaction(() -> scoreEvents.apply(second).value().delta()))
                .as("the four counters exist: each updated once").isEqualTo(new Writes(0, 4));
        assertThat(inOneTransaction(() -> scoreEvents.apply(deduction(sam, day)).value().delta()))
                .isEqualTo(new Writes(0, 4));
        assertThat(counters(sam, MISSED)).as("-10 three times in every period").containsOnlyKeys(periods(day))
                .allSatisfy((period, used) -> assertThat(used).isEqualTo(-30));

        assertThat(inOneTransaction(() -> scoreEvents.apply(deduction(sam, day)).value().delta()))
                .as("the week's cap of 30 is used up: a change of 0 writes no counter").isEqualTo(new Writes(0, 0));
        assertThat(inOneTransaction(() -> scoreEvents.reverse(second.reportId(), ReversalCause.CONTEST_OVERTURNED,
                "overturned").value().delta())).as("a reversal gives its room back, once per counter")
                .isEqualTo(new Writes(0, 4));
        assertThat(counters(sam, MISSED)).allSatisfy((period, used) -> assertThat(used).isEqualTo(-20));
        assertThat(scoreEvents.apply(deduction(sam, day)).value().delta()).as("the room given back counts again")
                .isEqualTo(-10);
    }

    @Test
    void aBatchWritesEachCounterOnceForAllItsReports() {
        String sam = register(internal, newId());
        String pat = register(internal, newId());
        Instant day = daysAgo(4);

        Writes firstBatch = inOneTransaction(() -> appliedTogether(List.of(deduction(sam, day), deduction(pat, day),
                deduction(sam, day))));
        assertThat(firstBatch).as("two participants' four new counters, each inserted once with its sum")
                .isEqualTo(new Writes(8, 0));
        assertThat(counters(sam, MISSED)).allSatisfy((period, used) -> assertThat(used).isEqualTo(-20));
        assertThat(counters(pat, MISSED)).allSatisfy((period, used) -> assertThat(used).isEqualTo(-10));

        Writes secondBatch = inOneTransaction(() -> appliedTogether(List.of(deduction(sam, day), deduction(sam, day),
                deduction(pat, day))));
        assertThat(secondBatch).as("existing counters updated once each; sam's second is capped").isEqualTo(
                new Writes(0, 8));
        assertThat(counters(sam, MISSED)).allSatisfy((period, used) -> assertThat(used).isEqualTo(-30));
        assertThat(counters(pat, MISSED)).allSatisfy((period, used) -> assertThat(used).isEqualTo(-20));
    }

    @Test
    void concurrentBatchesAndSingleReportsOnOneParticipantNeverExceedTheCap() throws Exception {
        String pat = register(internal, newId());
        Instant day = daysAgo(2);
        List<Callable<List<ScoreEvent>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<ApplyReportRequest> reports = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                reports.add(report(version, pat, SHIFT, 0, day.plusSeconds(10 * i + j)));
            }
            calls.add(() -> internal.applyReportBatch(ApplyReportBatchRequest.newBuilder()
                    .setIdempotencyKey(newId()).addAllReports(reports).build()).getResultsList().stream()
                    .map(ApplyReportResult::getEvent).toList());
            ApplyReportRequest single = report(version, pat, SHIFT, 0, day.plusSeconds(100 + i));
            calls.add(() -> List.of(internal.applyReport(single)));
        }

        List<ScoreEvent> events = AtOnce.all(calls).stream().flatMap(List::stream).toList();

        assertThat(events).hasSize(20).allSatisfy(e -> assertThat(e.getReportId()).isNotEmpty());
        assertThat(events.stream().mapToLong(ScoreEvent::getDelta).sum()).as("the day's cap of 50").isEqualTo(50);
        assertThat(events.stream().filter(e -> !e.getCapped())).hasSize(5);
        assertThat(asService.getScore(GetScoreRequest.newBuilder().setParticipantId(pat).build()).getScore())
                .isEqualTo(50);
        assertThat(counters(pat, SHIFT)).containsOnlyKeys(periods(day))
                .allSatisfy((period, used) -> assertThat(used).as(period).isEqualTo(50));
    }

    private AcceptedReport deduction(String participant, Instant occurredAt) {
        return new AcceptedReport(newId(), participant, "greenway-volunteers", MISSED, version, 0, occurredAt,
                "https://greenway.example/shifts/" + newId());
    }

    /** Applies reports as ApplyReportBatch does: read up front once, each applied, the deferred writes made. */
    private Object appliedTogether(List<AcceptedReport> reports) {
        batch.begin();
        scoreEvents.loadFor(reports);
        reports.forEach(scoreEvents::apply);
        batch.finish();
        return reports.size();
    }

    /**
     * Runs {@code work} in a transaction of its own and answers the cap_usage rows that transaction wrote: the
     * difference of the backend's counts at its start and its end (they also hold earlier transactions' writes that
     * the backend has not reported yet, which it does only between transactions).
     */
    private Writes inOneTransaction(Supplier<?> work) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Writes before = writesSoFar();
            work.get();
            Writes after = writesSoFar();
            return new Writes(after.inserted() - before.inserted(), after.updated() - before.updated());
        });
    }

    private Writes writesSoFar() {
        Object[] row = (Object[]) em.createNativeQuery("""
                SELECT n_tup_ins, n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'cap_usage'""")
                .getSingleResult();
        return new Writes(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
    }

    /** The keys of the calendar periods (every kind) that contain {@code occurredAt}, in the counters' zone. */
    private List<String> periods(Instant occurredAt) {
        return Arrays.stream(CapPeriod.values()).map(p -> p.keyOf(occurredAt, config.timeZone())).toList();
    }

    /** A participant's counters of one rule, by period key. */
    private Map<String, Long> counters(String participant, String rule) {
        Map<String, Long> counters = new TreeMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT period_key, used FROM cap_usage WHERE participant_id = ? AND rule_code = ?")) {
            s.setString(1, participant);
            s.setString(2, rule);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    counters.put(r.getString(1), r.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return counters;
    }
}
