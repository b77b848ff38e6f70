package org.civiccredit.load;

import com.google.protobuf.Duration;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc;

/**
 * The rule tables the load run publishes (as the admin, through RuleTableService): a small one of 5 synthetic
 * rules and a large one of 1,000 rules (the demo table's rules and tiers plus 995 synthetic ones), published in
 * that order so the large one is current, as a real programme's would be. Rules {@code LOAD_Rnnnn} add 1 to the
 * score and award 1 point, with caps no load run reaches; {@code LOAD_R0001} awards nothing, so the cost-growth
 * scenarios measure scoring alone. Idempotency keys make a second run find the same versions.
 */
public final class LoadRuleTables {

    /** The rule both tables share, which awards no points. */
    public static final String NO_AWARD_RULE = "LOAD_R0001";

    /** Versions of the small and the large table, and how many LOAD_R rules the large one has. */
    public record Versions(long small, long large, int largeRuleCount, int syntheticRules) {
    }

    private LoadRuleTables() {
    }

    public static Versions publish(RuleTableServiceGrpc.RuleTableServiceBlockingStub admin, Path demoTable)
            throws IOException {
        PublishRuleTableRequest.Builder demo = PublishRuleTableRequest.newBuilder();
        JsonFormat.parser().merge(Files.readString(demoTable), demo);

        PublishRuleTableRequest.Builder small = PublishRuleTableRequest.newBuilder()
                .setIdempotencyKey("load-rule-table-5-v1").setNotes("Load test: five synthetic rules.")
                .addAllTiers(demo.getTiersList());
        for (int i = 1; i <= 5; i++) {
            small.addRules(rule(i));
        }
        PublishRuleTableRequest.Builder large = PublishRuleTableRequest.newBuilder()
                .setIdempotencyKey("load-rule-table-1000-v1")
                .setNotes("Load test: the demo rules and 995 synthetic rules.")
                .addAllTiers(demo.getTiersList()).addAllRules(demo.getRulesList());
        int synthetic = 0;
        while (large.getRulesCount() < 1000) {
            large.addRules(rule(++synthetic));
        }
        RuleTable smallTable = admin.publishRuleTable(small.build());
        RuleTable largeTable = admin.publishRuleTable(large.build());
        long current = admin.getRuleTable(GetRuleTableRequest.newBuilder().setVersion(0).build()).getVersion();
        if (current != largeTable.getVersion()) {
            // A table published since an earlier run (the demo table at start-up, an admin's) is current: the
            // replay above only found the old version, so publish the large table again to make it current.
            largeTable = admin.publishRuleTable(large.setIdempotencyKey("load-rule-table-1000-v1-over-v" + current)
                    .build());
        }
        return new Versions(smallTable.getVersion(), largeTable.getVersion(), largeTable.getRulesCount(), synthetic);
    }

    /** Code of synthetic rule {@code i}. */
    public static String code(int i) {
        return String.format("LOAD_R%04d", i);
    }

    static Rule rule(int i) {
        return Rule.newBuilder().setCode(code(i))
                .setCategory(i % 2 == 0 ? ConductCategory.ENVIRONMENT : ConductCategory.VOLUNTEERING)
                .setTitle(String.format("Load test task %04d", i))
                .setDescription("A synthetic rule of the load test.")
                .setScoreDelta(1).setAwardPoints(i == 1 ? 0 : 1)
                .setCapPerPeriod(1_000_000).setCapPeriod(CapPeriod.CAP_PERIOD_WEEK)
                .setCountsFor(Duration.newBuilder().setSeconds(365L * 24 * 3600)).build();
    }
}
