package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.MISSED;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.register;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.civiccredit.api.scoring.v1.ApplyReportBatchRequest;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.kit.testing.LeastIncrease;
import org.civiccredit.scoring.persistence.ParticipantEntity;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/**
 * What one applied report costs in statements: its participant row is written once (Hibernate does not flush the
 * session before the outbox and cap statements, whose tables no entity maps), and the cap counters of all four
 * calendar periods are created and locked in two statements, not two per period. In a batch, the reports'
 * participants, recorded events and cap counters are read and locked once for all of them, and their events,
 * participant rows, cap changes and audit entries written together, one statement each, not one per report. The
 * counts are the session factory's (every thread's), so a background sweep that writes at the same moment can disturb
 * one try; of three tries, one must show the cost alone.
 */
@QuarkusTest
class ApplyReportStatementsGrpcServiceTest extends ScoringGrpcTest {

    /** Selects: participant lock, idempotency lookup, rule; cap counters: create, lock, add; the event, the participant, the outbox row. */
    private static final long MOST_STATEMENTS = 10;

    @Inject
    SessionFactory sessionFactory;

    record Cost(long participantUpdates, long statements) {
    }

    @Test
    void anAppliedReportWritesItsParticipantOnceAndItsCapCountersInTwoStatements() {
        Statistics statistics = sessionFactory.getStatistics();
        List<Cost> tries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String participant = register(internal, newId());
            long updates = statistics.getEntityStatistics(ParticipantEntity.class.getName()).getUpdateCount();
            long statements = statistics.getPrepareStatementCount();

            ScoreEvent applied = internal.applyReport(report(version, participant, SHIFT, 0, daysAgo(1)));

            tries.add(new Cost(statistics.getEntityStatistics(ParticipantEntity.class.getName()).getUpdateCount()
                    - updates, statistics.getPrepareStatementCount() - statements));
            assertThat(applied.getDelta()).isEqualTo(10);
            assertThat(applied.getAwardPoints()).as("an award, so an outbox row is written").isEqualTo(4);
        }
        System.out.println("ApplyReport cost per try (participant updates, prepared statements): " + tries);
        assertThat(tries).as("participant written once, at most %d statements", MOST_STATEMENTS)
                .anySatisfy(cost -> {
                    assertThat(cost.participantUpdates()).isEqualTo(1);
                    assertThat(cost.statements()).isLessThanOrEqualTo(MOST_STATEMENTS);
                });
    }

    @Test
    void aBatchReadsAndWritesOnceForAllItsReports() {
        LongSupplier prepared = sessionFactory.getStatistics()::getPrepareStatementCount;
        // A deduction, which awards no points, so no outbox row is written and no relay works beside the calls.
        long single = LeastIncrease.of(5, prepared, this::deduction, internal::applyReport);
        long batchOfOne = LeastIncrease.of(5, prepared, () -> batchOf(1), this::applyAll);
        long batchOfTwenty = LeastIncrease.of(5, prepared, () -> batchOf(20), this::applyAll);
        double perFurtherReport = (batchOfTwenty - batchOfOne) / 19.0;
        System.out.printf("prepared statements: ApplyReport %d, ApplyReportBatch of 1 %d, of 20 %d (%.2f per further"
                + " report)%n", single, batchOfOne, batchOfTwenty, perFurtherReport);
        // A batch reads its participants, their recorded events and their cap counters once for all its reports, and
        // writes its events, participant rows, cap changes and audit entries once for all: a further report costs
        // no statement of its own (half a statement allowed for the background work the least of five did not
        // avoid). Read and written one by one, a further report cost what a single one costs less its event and
        // participant writes (about 6).
        assertThat(batchOfOne).as("a batch of one costs what a single report costs").isLessThanOrEqualTo(single);
        assertThat(perFurtherReport).as("reads and writes made once per batch, not once per report")
                .isLessThanOrEqualTo(0.5);
    }

    /** A deduction for a newly registered participant. */
    private ApplyReportRequest deduction() {
        return report(version, register(internal, newId()), MISSED, 0, daysAgo(1));
    }

    /** An ApplyReportBatch of {@code reports} deductions for as many new participants. */
    private ApplyReportBatchRequest batchOf(int reports) {
        ApplyReportBatchRequest.Builder batch = ApplyReportBatchRequest.newBuilder().setIdempotencyKey(newId());
        for (int i = 0; i < reports; i++) {
            batch.addReports(deduction());
        }
        return batch.build();
    }

    private void applyAll(ApplyReportBatchRequest batch) {
        assertThat(internal.applyReportBatch(batch).getResultsList())
                .allSatisfy(r -> assertThat(r.hasEvent()).as("applied: " + r).isTrue());
    }
}
