package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the driver reads of scoring-service's near cache from {@code /q/health/well}. */
class ScoreReadsTest {

    @Test
    void readsTheNearCacheCheckAmongOthers() {
        String wellness = """
                {"status":"UP","checks":[{"name":"other","status":"UP","data":{"held":7}},
                {"name":"live scores near cache","status":"UP","data":{"tracking":true,"held":996698,
                "max":1000000,"walking":false,"hits":143000,"redis_answers":761}}]}""";
        assertThat(ScoreReads.NearCache.of(wellness))
                .isEqualTo(new ScoreReads.NearCache(true, 996_698, 1_000_000, false, 143_000, 761));
    }

    @Test
    void noCheckIsNoNearCache() {
        assertThat(ScoreReads.NearCache.of("{\"status\":\"UP\",\"checks\":[]}")).isNull();
    }

    @Test
    void summarisesThePhaseAsTheDifferenceOfTwoReports() {
        String summary = ScoreReads.nearSummary(new ScoreReads.NearCache(true, 900, 1000, false, 100, 50),
                new ScoreReads.NearCache(true, 1000, 1000, false, 1_000, 150));
        assertThat(summary).contains("answered 900 reads", "left 100 to Redis", "(90.0% in process)",
                "held 1000 entries (of at most 1000)");
        assertThat(ScoreReads.nearSummary(null, null)).isEmpty();
    }

    @Test
    void takesFractionsOfTheMaximumRate() {
        assertThat(ScoreReads.openFractions("0.5")).containsExactly(0.5);
        assertThat(ScoreReads.openFractions("0.5, 0.25")).containsExactly(0.5, 0.25);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ScoreReads.openFractions("0.5,0"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ScoreReads.openFractions("1.5"));
    }
}
