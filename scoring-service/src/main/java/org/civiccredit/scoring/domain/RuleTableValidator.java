package org.civiccredit.scoring.domain;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.screen.ProtectedGroundScreen;

/**
 * Checks a whole rule table before it is published and names every offending field (e.g.
 * {@code rules[3].score_delta}); a table is published entirely or not at all.
 */
public final class RuleTableValidator {

    private static final Pattern CODE = Pattern.compile("[A-Z0-9_.-]{1,64}");
    /**
     * Words of rules that would override other entries. The rule model cannot express such an effect (a rule
     * only adds one bounded delta), so a rule described this way misleads participants and is refused.
     */
    private static final Pattern VETO = Pattern.compile(
            "\\b(reset|resets|zero|zeroes|zeros|zeroed|wipe|wipes|wiped|veto|vetoes|multipl(y|ies|ied|ier)"
                    + "|cancel(s|led)? all|void(s|ed)? all|forfeit(s|ed)?|disqualif(y|ies|ied))\\b",
            Pattern.CASE_INSENSITIVE);

    private final RuleBounds bounds;
    private final ProtectedGroundScreen screen;

    public RuleTableValidator(RuleBounds bounds, ProtectedGroundScreen screen) {
        this.bounds = bounds;
        this.screen = screen;
    }

    /** Collects the violations of the table into {@code violations}. */
    public void validate(List<RuleDefinition> rules, List<TierDefinition> tiers, String notes,
            Violations violations) {
        violations.require(!rules.isEmpty(), "rules", "a rule table needs at least one rule");
        violations.require(rules.size() <= bounds.maxRules(), "rules",
                "at most " + bounds.maxRules() + " rules per table");
        violations.require(notes.length() <= 2000, "notes", "at most 2000 characters");
        Set<String> codes = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            validateRule(rules.get(i), "rules[" + i + "].", codes, violations);
        }
        Set<String> tierNames = new HashSet<>();
        long previous = -1;
        for (int i = 0; i < tiers.size(); i++) {
            TierDefinition tier = tiers.get(i);
            String at = "tiers[" + i + "].";
            violations.require(!tier.name().isBlank() && tier.name().length() <= 64, at + "name",
                    "1 to 64 characters");
            violations.require(tierNames.add(tier.name()), at + "name", "duplicate tier name " + tier.name());
            violations.require(tier.threshold() >= 0, at + "threshold", "must be 0 or more");
            violations.require(tier.threshold() > previous, at + "threshold",
                    "thresholds must be strictly ascending");
            previous = tier.threshold();
        }
    }

    private void validateRule(RuleDefinition rule, String at, Set<String> codes, Violations v) {
        if (!CODE.matcher(rule.code()).matches()) {
            v.add(at + "code", "1 to 64 characters of A-Z, 0-9, '_', '.', '-'");
        } else if (!codes.add(rule.code())) {
            v.add(at + "code", "duplicate rule code " + rule.code());
        }
        v.require(rule.category() != null, at + "category",
                "must be one of the published conduct categories");
        v.require(!rule.title().isBlank() && rule.title().length() <= 120, at + "title", "1 to 120 characters");
        v.require(rule.description().length() <= 2000, at + "description", "at most 2000 characters");
        for (String field : new String[] {"title", "description"}) {
            String text = field.equals("title") ? rule.title() : rule.description();
            List<String> grounds = screen.screenAll(text).stream().map(f -> f.ground().name()).distinct().toList();
            if (!grounds.isEmpty()) {
                v.add(at + field, "concerns a protected ground (" + String.join(", ", grounds)
                        + "): rules may only concern conduct inside the programme");
            }
            if (VETO.matcher(text).find()) {
                v.add(at + field, "a rule only adds one bounded delta; it cannot reset, zero, multiply or cancel "
                        + "other entries");
            }
        }

        long delta = rule.scoreDelta();
        v.require(delta != 0, at + "score_delta", "must not be 0");
        v.require(Math.abs(delta) <= bounds.maxScoreDelta(), at + "score_delta",
                "|score_delta| must not exceed the program's maximum of " + bounds.maxScoreDelta());
        if (delta < 0 && rule.category() != null && !rule.category().mayDeduct()) {
            v.add(at + "score_delta", "only PROGRAM_CONDUCT rules may deduct; " + rule.category() + " may not");
        }
        if (rule.perUnit()) {
            v.require(rule.unitCap() >= 1 && rule.unitCap() <= bounds.maxUnitCap(), at + "unit_cap",
                    "per-unit rules need a unit cap of 1 to " + bounds.maxUnitCap());
            v.require(!rule.unitName().isBlank() && rule.unitName().length() <= 32, at + "unit_name",
                    "per-unit rules need a unit name of 1 to 32 characters");
        } else {
            v.require(rule.unitCap() == 0, at + "unit_cap", "only per-unit rules have a unit cap");
            v.require(rule.unitName().isEmpty(), at + "unit_name", "only per-unit rules have a unit name");
        }
        v.require(rule.awardPoints() >= 0, at + "award_points", "must be 0 or more");
        v.require(delta >= 0 || rule.awardPoints() == 0, at + "award_points", "a deduction awards no points");
        v.require(rule.capPerPeriod() > 0 && rule.capPerPeriod() >= Math.abs(delta), at + "cap_per_period",
                "must be positive and at least |score_delta|");
        v.require(delta >= 0 || rule.capPerPeriod() <= bounds.maxDeductionPerPeriod(), at + "cap_per_period",
                "a deduction rule may remove at most " + bounds.maxDeductionPerPeriod() + " per period");
        v.require(rule.capPeriod() != null, at + "cap_period", "required");
        Duration window = rule.countsFor();
        v.require(window != null && !window.isNegative() && !window.isZero() && window.compareTo(bounds.maxCountingWindow()) <= 0,
                at + "counts_for", "must be positive and at most " + bounds.maxCountingWindow().toDays() + " days");
        // Rules keep their window in whole seconds; a fraction would be cut off (half a second stored as none).
        v.require(window == null || window.getNano() == 0, at + "counts_for", "whole seconds");
    }
}
