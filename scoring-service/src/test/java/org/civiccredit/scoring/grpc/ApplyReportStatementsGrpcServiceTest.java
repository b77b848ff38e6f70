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
 * calendar periods are read in one statement and written in one, not per period. In a batch, the reports'
 * participants and recorded events are read and locked, and their cap counters read, once for all of them, and their
 * events, participant rows, cap changes and audit entries written together, one statement each, not one per report.
 * The counts are the session factory's (every thread's), so a background sweep or relay pass that works at the same
 * moment can disturb a try; each figure is the least of five tries ({@link LeastIncrease}).
 */
@QuarkusTest
class ApplyReportStatementsGrpcServiceTest extends ScoringGrpcTest {

    /**
     * Selects: participant lock, idempotency lookup, rule; cap counters: read, write; the event, the participant,
     * the outbox row (8); and one for background work that the least of five tries did not avoid.
     */
    private static final long MOST_STATEMENTS = 9;

    @Inject
    SessionFactory sessionFactory;

    @Test
    void anAppliedReportWritesItsParticipantOnceAndItsCapCountersInOneStatement() {
        Statistics statistics = sessionFactory.getStatistics();
        LongSupplier participantUpdates = () -> statistics.getEntityStatistics(ParticipantEntity.class.getName())
                .getUpdateCount();
        // An award, so an outbox row is written too, and the relay that delivers it may work beside the next try: the
        // least of five is taken, as for the batches below.
        long updates = LeastIncrease.of(5, participantUpdates, this::award, this::applyAward);
        long statements = LeastIncrease.of(5, statistics::getPrepareStatementCount, this::award, this::applyAward);
        System.out.printf("ApplyReport of an award: participant updates %d, prepared statements %d%n", updates,
                statements);
        assertThat(updates).as("participant written once").isEqualTo(1);
        assertThat(statements).as("at most %d statements", MOST_STATEMENTS).isLessThanOrEqualTo(MOST_STATEMENTS);
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

    /** An award of 10 (4 points) for a newly registered participant. */
    private ApplyReportRequest award() {
        return report(version, register(internal, newId()), SHIFT, 0, daysAgo(1));
    }

    private void applyAward(ApplyReportRequest award) {
        ScoreEvent applied = internal.applyReport(award);
        assertThat(applied.getDelta()).isEqualTo(10);
        assertThat(applied.getAwardPoints()).as("an award, so an outbox row is written").isEqualTo(4);
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
