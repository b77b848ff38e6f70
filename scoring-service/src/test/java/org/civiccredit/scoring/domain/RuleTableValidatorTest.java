package org.civiccredit.scoring.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.screen.ProtectedGroundScreen;
import org.junit.jupiter.api.Test;

/** Each way a rule table can break the programme's bounds is refused, naming the field. */
class RuleTableValidatorTest {

    private static final RuleBounds BOUNDS = new RuleBounds(10, 100, 50, 24, Duration.ofDays(730));

    private static RuleDefinition rule(String code, ConductCategory category, long delta, long cap) {
        return new RuleDefinition(code, category, "A title", "", delta, false, 0, "", delta > 0 ? 10 : 0, cap,
                CapPeriod.WEEK, Duration.ofDays(365));
    }

    private static List<String> violations(List<RuleDefinition> rules, List<TierDefinition> tiers) {
        Violations v = new Violations();
        new RuleTableValidator(BOUNDS, ProtectedGroundScreen.fromClasspath()).validate(rules, tiers, "", v);
        if (v.isEmpty()) {
            return List.of();
        }
        try {
            v.throwIfAny();
            throw new AssertionError("unreachable");
        } catch (Refusal r) {
            return r.violations().stream().map(Refusal.FieldViolation::field).toList();
        }
    }

    @Test
    void aBoundedTableIsAccepted() {
        assertThat(violations(List.of(rule("VOL", ConductCategory.VOLUNTEERING, 5, 50),
                rule("MISSED", ConductCategory.PROGRAM_CONDUCT, -3, 9)),
                List.of(new TierDefinition("Bronze", 50), new TierDefinition("Silver", 200)))).isEmpty();
    }

    @Test
    void onlyProgramConductMayDeduct() {
        assertThat(violations(List.of(rule("X", ConductCategory.CAREGIVING, -5, 10)), List.of()))
                .contains("rules[0].score_delta");
    }

    @Test
    void aDeductionCannotActAsAVetoByRemovingMoreThanTheCapPerPeriod() {
        assertThat(violations(List.of(rule("WIPE", ConductCategory.PROGRAM_CONDUCT, -50, 10_000)), List.of()))
                .containsExactly("rules[0].cap_per_period");
        assertThat(violations(List.of(rule("BIG", ConductCategory.PROGRAM_CONDUCT, -1000, 1000)), List.of()))
                .contains("rules[0].score_delta");
    }

    @Test
    void anUnknownCategoryAndADuplicateCodeAreNamed() {
        assertThat(violations(List.of(rule("A", null, 5, 50), rule("A", ConductCategory.LEARNING, 5, 50)),
                List.of())).containsExactly("rules[0].category", "rules[1].code");
    }

    @Test
    void capsWindowsAndTiersAreBounded() {
        RuleDefinition forever = new RuleDefinition("F", ConductCategory.ENVIRONMENT, "t", "", 5, false, 0, "", 1,
                4, CapPeriod.WEEK, Duration.ofDays(10_000));
        assertThat(violations(List.of(forever), List.of(new TierDefinition("B", 50), new TierDefinition("S", 50))))
                .containsExactlyInAnyOrder("rules[0].cap_per_period", "rules[0].counts_for", "tiers[1].threshold");
    }

    private static RuleDefinition titled(String title, String description) {
        return new RuleDefinition("T", ConductCategory.PROGRAM_CONDUCT, title, description, -3, false, 0, "", 0, 9,
                CapPeriod.MONTH, Duration.ofDays(90));
    }

    @Test
    void aRuleNamingAProtectedGroundIsRefusedInEveryLanguageTheScreenKnows() {
        assertThat(violations(List.of(titled("Missed Friday prayers", "")), List.of()))
                .containsExactly("rules[0].title");
        assertThat(violations(List.of(titled("Missed shift", "Deduct when the participant joined a protest")),
                List.of())).containsExactly("rules[0].description");
        assertThat(violations(List.of(titled("上访扣分", "")), List.of())).containsExactly("rules[0].title");
    }

    @Test
    void aRuleDescribedAsAVetoOverOtherEntriesIsRefused() {
        assertThat(violations(List.of(titled("Reset score after a missed shift", "")), List.of()))
                .containsExactly("rules[0].title");
        assertThat(violations(List.of(titled("Missed shift", "Multiplies all other entries by zero")), List.of()))
                .containsExactly("rules[0].description");
        assertThat(violations(List.of(titled("Missed shift", "Wipes the month's points")), List.of()))
                .containsExactly("rules[0].description");
    }

    @Test
    void anEmptyTableIsRefused() {
        assertThat(violations(List.of(), List.of())).containsExactly("rules");
        assertThatThrownBy(() -> new Violations().add("x", "y").throwIfAny()).isInstanceOf(Refusal.class);
    }
}
