package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void readsValuesDefaultsAndPids() {
        Options o = new Options(new String[] {"--seconds", "20", "--scenarios", "echo,score",
            "--pids", "reports=11,scoring=12,rewards="});
        assertThat(o.seconds()).isEqualTo(20);
        assertThat(o.warmupSeconds()).isEqualTo(30);
        assertThat(o.runs("score")).isTrue();
        assertThat(o.runs("intake")).isFalse();
        assertThat(o.pids()).containsExactly(java.util.Map.entry("reports", 11L), java.util.Map.entry("scoring", 12L));
    }

    @Test
    void refusesUnknownScenariosAndDanglingNames() {
        assertThatThrownBy(() -> new Options(new String[] {"--scenarios", "echo,everything"}))
                .hasMessageContaining("unknown scenario everything");
        assertThatThrownBy(() -> new Options(new String[] {"--help"})).hasMessageContaining("--name value");
    }
}
