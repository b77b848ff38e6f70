package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.register;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.scoring.persistence.ParticipantEntity;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/**
 * What one applied report costs in statements: its participant row is written once (Hibernate does not flush the
 * session before the outbox and cap statements, whose tables no entity maps), and the cap counters of all four
 * calendar periods are created and locked in two statements, not two per period. The counts are the session
 * factory's (every thread's), so a background sweep that writes at the same moment can disturb one try; of three
 * tries, one must show the cost alone.
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
}
