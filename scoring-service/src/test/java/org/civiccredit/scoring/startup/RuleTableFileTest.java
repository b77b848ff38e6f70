package org.civiccredit.scoring.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule table file format: YAML and JSON in the contract's JSON mapping, read to the same table. */
class RuleTableFileTest {

    private static final Path DEMO = Path.of("..", "deploy", "demo");

    @Test
    void theDemoTableReadsTheSameFromYamlAndJson() {
        PublishRuleTableRequest yaml = RuleTableFile.read(DEMO.resolve("rule-table.yaml"));
        PublishRuleTableRequest json = RuleTableFile.read(DEMO.resolve("rule-table.json"));

        assertThat(yaml).isEqualTo(json);
        assertThat(yaml.getRulesList()).extracting(Rule::getCode).containsExactly("VOL_SHIFT_HOUR", "FOOD_SORTING",
                "LITERACY_TUTOR", "BLOOD_DONATION", "MISSED_SHIFT");
        Rule hour = yaml.getRules(0);
        assertThat(hour.getCategory()).isEqualTo(ConductCategory.VOLUNTEERING);
        assertThat(hour.getScoreDelta()).isEqualTo(5);
        assertThat(hour.getPerUnit()).isTrue();
        assertThat(hour.getUnitCap()).isEqualTo(8);
        assertThat(hour.getUnitName()).isEqualTo("hour");
        assertThat(hour.getCapPeriod()).isEqualTo(CapPeriod.CAP_PERIOD_WEEK);
        assertThat(hour.getCountsFor().getSeconds()).isEqualTo(365L * 24 * 3600);
        assertThat(yaml.getRules(4).getScoreDelta()).isEqualTo(-3);
        assertThat(yaml.getTiersList()).extracting(t -> t.getName() + "@" + t.getThreshold())
                .containsExactly("Bronze@50", "Silver@200", "Gold@500");
        assertThat(yaml.getNotes()).startsWith("Demo programme");
    }

    @Test
    void theKeyIsDerivedFromTheTableAloneSoLayoutAndCommentsDoNotChangeIt() {
        PublishRuleTableRequest a = RuleTableFile.parse("""
                notes: one
                rules:
                  - {code: A, category: LEARNING, title: Class, scoreDelta: 2, capPerPeriod: 4,
                     capPeriod: CAP_PERIOD_DAY, countsFor: 86400s}
                """, true, "a.yaml");
        PublishRuleTableRequest b = RuleTableFile.parse("""
                {"rules": [{"countsFor": "86400s", "capPeriod": "CAP_PERIOD_DAY", "capPerPeriod": "4",
                  "scoreDelta": "2", "title": "Class", "category": "LEARNING", "code": "A"}],
                 "notes": "one"}
                """, false, "b.json");
        PublishRuleTableRequest other = RuleTableFile.parse("""
                notes: two
                rules:
                  - {code: A, category: LEARNING, title: Class, scoreDelta: 2, capPerPeriod: 4,
                     capPeriod: CAP_PERIOD_DAY, countsFor: 86400s}
                """, true, "c.yaml");

        assertThat(a.getIdempotencyKey()).startsWith("rule-table-").hasSizeLessThanOrEqualTo(128)
                .isEqualTo(b.getIdempotencyKey()).isNotEqualTo(other.getIdempotencyKey());
        assertThat(a).isEqualTo(b);
    }

    @Test
    void aMisspeltFieldOrUnknownCategoryIsRefusedNamingTheRule() {
        assertThatThrownBy(() -> RuleTableFile.parse("""
                rules:
                  - {code: FINE, category: LEARNING, title: Class, scoreDelta: 2, capPerPeriod: 4,
                     capPeriod: CAP_PERIOD_DAY, countsFor: 86400s}
                  - {code: TYPO, category: LEARNING, title: Class, scoreDelta: 2, capPerPerod: 4,
                     capPeriod: CAP_PERIOD_DAY, countsFor: 86400s}
                """, true, "t.yaml"))
                .isInstanceOf(RuleTableFile.Unreadable.class)
                .hasMessageContaining("t.yaml: rules[1] (code TYPO)").hasMessageContaining("capPerPerod");
        assertThatThrownBy(() -> RuleTableFile.parse("""
                {"rules": [{"code": "FAITH", "category": "RELIGION", "title": "x"}]}
                """, false, "t.json"))
                .isInstanceOf(RuleTableFile.Unreadable.class)
                .hasMessageContaining("rules[0] (code FAITH)").hasMessageContaining("RELIGION");
    }

    @Test
    void aFileIsRefusedWhenItIsNoRuleTable(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> RuleTableFile.parse("rules: [\n", true, "broken.yaml"))
                .isInstanceOf(RuleTableFile.Unreadable.class).hasMessageContaining("broken.yaml: not valid YAML");
        assertThatThrownBy(() -> RuleTableFile.parse("- just\n- a list\n", true, "list.yaml"))
                .isInstanceOf(RuleTableFile.Unreadable.class).hasMessageContaining("one rule table");
        assertThatThrownBy(() -> RuleTableFile.parse("{\"idempotencyKey\": \"k\", \"rules\": []}", false, "k.json"))
                .isInstanceOf(RuleTableFile.Unreadable.class).hasMessageContaining("derived from the table");
        Path text = Files.writeString(dir.resolve("table.txt"), "notes: x\n");
        assertThatThrownBy(() -> RuleTableFile.read(text))
                .isInstanceOf(RuleTableFile.Unreadable.class).hasMessageContaining("*.yaml, *.yml or *.json");
        assertThatThrownBy(() -> RuleTableFile.read(dir.resolve("missing.yaml")))
                .isInstanceOf(RuleTableFile.Unreadable.class).hasMessageContaining("cannot be read");
    }
}
