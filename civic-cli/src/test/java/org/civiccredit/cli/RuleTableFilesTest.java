package org.civiccredit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code civic rule-table publish} reads the demo table to the same request, with one key, from YAML and JSON. */
class RuleTableFilesTest {

    private static final Path DEMO = Path.of("..", "deploy", "demo");

    @Test
    void yamlAndJsonGiveTheSameTableAndKey() {
        PublishRuleTableRequest yaml = RuleTableFiles.read(DEMO.resolve("rule-table.yaml"));
        PublishRuleTableRequest json = RuleTableFiles.read(DEMO.resolve("rule-table.json"));

        assertThat(yaml).isEqualTo(json);
        assertThat(yaml.getRulesCount()).isEqualTo(5);
        assertThat(yaml.getRules(3).getCategory()).isEqualTo(ConductCategory.CIVIC_PARTICIPATION);
        assertThat(yaml.getRules(3).getCapPeriod()).isEqualTo(CapPeriod.CAP_PERIOD_MONTH);
        assertThat(yaml.getRules(4).getCountsFor().getSeconds()).isEqualTo(90L * 24 * 3600);
        assertThat(yaml.getIdempotencyKey()).matches("rule-table-[0-9a-f]{64}")
                .isEqualTo(RuleTableFiles.keyOf(yaml.toBuilder().clearIdempotencyKey().build()));
    }

    @Test
    void aChangedTableGetsAnotherKey(@TempDir Path dir) throws Exception {
        String demo = Files.readString(DEMO.resolve("rule-table.yaml"));
        Path changed = Files.writeString(dir.resolve("changed.yaml"), demo.replace("threshold: 500", "threshold: 600"));
        assertThat(RuleTableFiles.read(changed).getIdempotencyKey())
                .isNotEqualTo(RuleTableFiles.read(DEMO.resolve("rule-table.yaml")).getIdempotencyKey());
    }

    @Test
    void aFileThatIsNoRuleTableIsRefusedBeforeAnyCall(@TempDir Path dir) throws Exception {
        Path typo = Files.writeString(dir.resolve("typo.yaml"), "rules:\n  - {code: A, scoreDelt: 2}\n");
        assertThatThrownBy(() -> RuleTableFiles.read(typo)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scoreDelt");
        Path keyed = Files.writeString(dir.resolve("keyed.json"), "{\"idempotencyKey\": \"mine\"}");
        assertThatThrownBy(() -> RuleTableFiles.read(keyed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("derived from the table");
        Path other = Files.writeString(dir.resolve("table.toml"), "");
        assertThatThrownBy(() -> RuleTableFiles.read(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("*.yaml, *.yml or *.json");
    }
}
