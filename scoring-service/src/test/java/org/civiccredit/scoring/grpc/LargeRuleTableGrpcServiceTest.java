package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.register;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import com.google.protobuf.Duration;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc.ScoreServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.api.scoring.v1.Tier;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/**
 * A table of 1,000 rules publishes in batched inserts and evaluates reports under any of its rules, first,
 * middle or last, like a small one (correctness here; timing is measured outside the tests).
 */
@QuarkusTest
class LargeRuleTableGrpcServiceTest {

    private static final int RULES = 1_000;
    private static final ConductCategory[] POSITIVE = {ConductCategory.VOLUNTEERING, ConductCategory.CAREGIVING,
        ConductCategory.ENVIRONMENT, ConductCategory.COMMUNITY_IMPROVEMENT, ConductCategory.LEARNING,
        ConductCategory.CIVIC_PARTICIPATION};

    @GrpcClient("self")
    RuleTableServiceBlockingStub ruleTables;

    @GrpcClient("self")
    ScoringInternalServiceBlockingStub internalClient;

    @GrpcClient("self")
    ScoreServiceBlockingStub scoreClient;

    @Inject
    SessionFactory sessionFactory;

    @Test
    void aThousandRuleTablePublishesInBatchesAndEvaluatesReportsUnderAnyRule() {
        String prefix = "BULK" + newId().substring(0, 6).toUpperCase().replace('-', '_') + "_";
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < RULES; i++) {
            Rule.Builder rule = Rule.newBuilder().setCode(prefix + i).setTitle("Contribution kind " + i)
                    .setDescription("Rule " + i + " of the large test table")
                    .setCapPeriod(CapPeriod.CAP_PERIOD_MONTH)
                    .setCountsFor(Duration.newBuilder().setSeconds((30L + i % 300) * 24 * 3600));
            if (i % 10 == 9) {
                rule.setCategory(ConductCategory.PROGRAM_CONDUCT).setScoreDelta(-(1 + i % 5)).setCapPerPeriod(20);
            } else if (i % 10 == 8) {
                rule.setCategory(POSITIVE[i % POSITIVE.length]).setScoreDelta(1 + i % 7).setPerUnit(true)
                        .setUnitCap(1 + i % 24).setUnitName("hour").setAwardPoints(i % 4).setCapPerPeriod(100);
            } else {
                rule.setCategory(POSITIVE[i % POSITIVE.length]).setScoreDelta(1 + i % 20).setAwardPoints(i % 3)
                        .setCapPerPeriod(100);
            }
            rules.add(rule.build());
        }
        Statistics statistics = sessionFactory.getStatistics();
        long statementsBefore = statistics.getPrepareStatementCount();
        long insertsBefore = statistics.getEntityInsertCount();

        RuleTable published = BearerAuth.as(ruleTables, DemoTokens.adminClient()).publishRuleTable(
                PublishRuleTableRequest.newBuilder().setIdempotencyKey(newId()).addAllRules(rules)
                        .addTiers(Tier.newBuilder().setName("Bronze").setThreshold(25)).setNotes("1,000 rules").build());

        long statements = statistics.getPrepareStatementCount() - statementsBefore;
        long inserts = statistics.getEntityInsertCount() - insertsBefore;
        System.out.printf("Publishing %d rules: %d entity inserts in %d prepared statements (all threads)%n",
                RULES, inserts, statements);
        assertThat(inserts).isGreaterThanOrEqualTo(RULES + 2);
        assertThat(statements).as("batched: a statement per batch of 100, not one per rule").isLessThan(RULES / 4);

        assertThat(published.getRulesCount()).isEqualTo(RULES);
        RuleTable read = BearerAuth.as(ruleTables, DemoTokens.agencyGreenway())
                .getRuleTable(GetRuleTableRequest.newBuilder().setVersion(published.getVersion()).build());
        assertThat(read.getRulesList()).isEqualTo(rules);

        ScoringInternalServiceBlockingStub internal = BearerAuth.as(internalClient, DemoTokens.service());
        String participant = register(internal, newId());
        long table = published.getVersion();
        ScoreEvent first = internal.applyReport(report(table, participant, prefix + 0, 0, daysAgo(1)));
        ScoreEvent middle = internal.applyReport(report(table, participant, prefix + 500, 0, daysAgo(1)));
        ScoreEvent perUnit = internal.applyReport(report(table, participant, prefix + 998, 40, daysAgo(1)));
        ScoreEvent deduction = internal.applyReport(report(table, participant, prefix + 999, 0, daysAgo(1)));
        ScoreEvent last = internal.applyReport(report(table, participant, prefix + 997, 0, daysAgo(1)));

        assertThat(first.getDelta()).isEqualTo(1);
        assertThat(first.getAwardPoints()).isZero();
        assertThat(middle.getDelta()).isEqualTo(1 + 500 % 20);
        assertThat(middle.getAwardPoints()).isEqualTo(500 % 3);
        assertThat(perUnit.getCountedUnits()).as("unit cap 1 + 998 % 24").isEqualTo(1 + 998 % 24);
        assertThat(perUnit.getDelta()).isEqualTo((1 + 998 % 7) * (1 + 998 % 24));
        assertThat(perUnit.getAwardPoints()).isEqualTo((998 % 4) * (1 + 998 % 24));
        assertThat(deduction.getDelta()).isEqualTo(-(1 + 999 % 5));
        assertThat(last.getDelta()).isEqualTo(1 + 997 % 20);
        assertThat(last.getRuleTitle()).isEqualTo("Contribution kind 997");
        assertThat(List.of(first, middle, perUnit, deduction, last)).extracting(ScoreEvent::getRuleTableVersion)
                .containsOnly(table);

        long expected = first.getDelta() + middle.getDelta() + perUnit.getDelta() + deduction.getDelta()
                + last.getDelta();
        assertThat(BearerAuth.as(scoreClient, DemoTokens.service())
                .getScore(GetScoreRequest.newBuilder().setParticipantId(participant).build()).getScore())
                .isEqualTo(expected);
    }
}
