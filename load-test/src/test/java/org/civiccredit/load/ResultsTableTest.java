package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultsTableTest {

    @Test
    void writesRatioPercentilesAndMemoryInBothFormats() {
        Measurement m = new Measurement("x");
        m.started(0);
        for (int i = 1; i <= 100; i++) {
            m.success(i * 1_000_000L);
        }
        m.ended(10_000_000_000L);
        Map<String, Long> rss = new LinkedHashMap<>();
        rss.put("reports", 300L);
        rss.put("scoring", 250L);
        rss.put("rewards", 280L);
        ResultsTable t = new ResultsTable();
        t.fact("cores", "2");
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("reports", 0.0);
        cpu.put("scoring", 0.0643);
        cpu.put("rewards", 0.5);
        cpu.put(ProcessCpu.POSTGRES, 1.25);
        t.add(new ResultsTable.Row("GetScore, max rate", "closed, 64 sessions", m, 20.0, rss, cpu, "3.10",
                "a, \"quoted\" note"));
        t.section("Checks", "all good");

        assertThat(m.rate()).isEqualTo(10.0);
        assertThat(m.millisAt(50)).isBetween(49.9, 50.1);
        assertThat(t.markdown()).contains("| cores | 2 |")
                .contains(String.format(java.util.Locale.ROOT,
                        "| GetScore, max rate | closed, 64 sessions | 100 | 10.0 | 20.0 | 0.50 | %.2f | %.2f |",
                        m.millisAt(50), m.millisAt(99)))
                .contains("| 0 / 64 / 500 / 1250 | 300 / 250 / 280 | 3.10 |").contains("## Checks\n\nall good");
        assertThat(t.csv().lines().skip(1).findFirst().orElseThrow())
                .startsWith("\"GetScore, max rate\",\"closed, 64 sessions\",100,10.000,20.000,0.500,")
                .contains(",0.000,0.064,0.500,1.250,300,250,280,3.10,").endsWith(",\"a, \"\"quoted\"\" note\"");
    }

    @Test
    void ratiosAreTakenAgainstTheHigherOfTheEchoBeforeAndAfter() {
        Measurement m = new Measurement("x");
        m.started(0);
        for (int i = 1; i <= 100; i++) {
            m.success(i * 1_000_000L);
        }
        m.ended(10_000_000_000L);
        ResultsTable t = new ResultsTable();
        t.add(new ResultsTable.Row("GetScore, max rate", "closed", m, 20.0, ""));
        t.add(new ResultsTable.Row("SubmitReport", "closed", m, 40.0, ""));
        t.compareWithHigherEcho(20.0, 12.5);
        assertThat(t.rows().get(0).ratio()).as("a lower echo after changes nothing").isEqualTo(0.5);
        t.compareWithHigherEcho(20.0, 25.0);
        assertThat(t.rows().get(0).ratio()).isEqualTo(0.4);
        assertThat(t.rows().get(1).ratio()).as("another service's rows keep theirs").isEqualTo(0.25);
    }
}
