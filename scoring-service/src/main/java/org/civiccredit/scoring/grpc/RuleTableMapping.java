package org.civiccredit.scoring.grpc;

import com.google.protobuf.Duration;
import java.util.List;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.Tier;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.scoring.domain.PublishedRuleTable;
import org.civiccredit.scoring.domain.RuleDefinition;
import org.civiccredit.scoring.domain.RuleTableSummary;
import org.civiccredit.scoring.domain.TierDefinition;

/** Maps rule tables between the v1 contract and the domain. */
final class RuleTableMapping {

    private RuleTableMapping() {
    }

    static List<RuleDefinition> toDomain(List<Rule> rules, Violations violations) {
        return java.util.stream.IntStream.range(0, rules.size())
                .mapToObj(i -> toDomain(rules.get(i), "rules[" + i + "].", violations)).toList();
    }

    static RuleDefinition toDomain(Rule rule, String at, Violations violations) {
        // A duration protobuf does not allow is left out, so that the validator refuses counts_for by name.
        java.time.Duration countsFor = rule.hasCountsFor() ? ProtoTime.duration(rule.getCountsFor()) : null;
        return new RuleDefinition(rule.getCode(), category(rule.getCategory()), rule.getTitle(),
                rule.getDescription(), rule.getScoreDelta(), rule.getPerUnit(), rule.getUnitCap(),
                rule.getUnitName(), rule.getAwardPoints(), rule.getCapPerPeriod(), capPeriod(rule.getCapPeriod()),
                countsFor);
    }

    static List<TierDefinition> tiersToDomain(List<Tier> tiers) {
        return tiers.stream().map(t -> new TierDefinition(t.getName(), t.getThreshold())).toList();
    }

    static RuleTable toProto(PublishedRuleTable table) {
        RuleTable.Builder b = RuleTable.newBuilder()
                .setVersion(table.version())
                .setPublishedAt(ProtoTime.timestamp(table.publishedAt()))
                .setPublishedBy(table.publishedBy())
                .setNotes(table.notes());
        table.rules().forEach(r -> b.addRules(toProto(r)));
        table.tiers().forEach(t -> b.addTiers(Tier.newBuilder().setName(t.name()).setThreshold(t.threshold())));
        return b.build();
    }

    static Rule toProto(RuleDefinition r) {
        return Rule.newBuilder()
                .setCode(r.code())
                .setCategory(ConductCategory.valueOf(r.category().name()))
                .setTitle(r.title())
                .setDescription(r.description())
                .setScoreDelta(r.scoreDelta())
                .setPerUnit(r.perUnit())
                .setUnitCap(r.unitCap())
                .setUnitName(r.unitName())
                .setAwardPoints(r.awardPoints())
                .setCapPerPeriod(r.capPerPeriod())
                .setCapPeriod(CapPeriod.valueOf("CAP_PERIOD_" + r.capPeriod().name()))
                .setCountsFor(Duration.newBuilder().setSeconds(r.countsFor().getSeconds()))
                .build();
    }

    static org.civiccredit.api.scoring.v1.RuleTableSummary toProto(RuleTableSummary s) {
        return org.civiccredit.api.scoring.v1.RuleTableSummary.newBuilder()
                .setVersion(s.version())
                .setPublishedAt(ProtoTime.timestamp(s.publishedAt()))
                .setPublishedBy(s.publishedBy())
                .setNotes(s.notes())
                .setRuleCount(s.ruleCount())
                .setCurrent(s.current())
                .build();
    }

    private static org.civiccredit.kit.domain.ConductCategory category(ConductCategory category) {
        if (category == ConductCategory.CONDUCT_CATEGORY_UNSPECIFIED || category == ConductCategory.UNRECOGNIZED) {
            return null;
        }
        return org.civiccredit.kit.domain.ConductCategory.valueOf(category.name());
    }

    private static org.civiccredit.scoring.domain.CapPeriod capPeriod(CapPeriod period) {
        return switch (period) {
            case CAP_PERIOD_DAY -> org.civiccredit.scoring.domain.CapPeriod.DAY;
            case CAP_PERIOD_WEEK -> org.civiccredit.scoring.domain.CapPeriod.WEEK;
            case CAP_PERIOD_MONTH -> org.civiccredit.scoring.domain.CapPeriod.MONTH;
            case CAP_PERIOD_YEAR -> org.civiccredit.scoring.domain.CapPeriod.YEAR;
            default -> null;
        };
    }
}
