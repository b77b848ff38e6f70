package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScoreAnnouncementsTest {

    @Test
    void readsTheReportOfAScoreChange() {
        assertThat(ScoreAnnouncements.reportOf("""
                {"participant":"p1","version":7,"type":"score","cause":"REPORT_APPLIED","report":"r-42","event":"e",
                 "score":12,"nextTier":"","toNextTier":0,"asOf":1,"table":3}""")).isEqualTo("r-42");
    }

    @Test
    void ignoresEverythingElse() {
        assertThat(ScoreAnnouncements.reportOf("{\"type\":\"tiers\",\"table\":3}")).isNull();
        assertThat(ScoreAnnouncements.reportOf("{\"type\":\"erased\",\"participant\":\"p\",\"version\":2}")).isNull();
        assertThat(ScoreAnnouncements.reportOf("{\"type\":\"score\",\"report\":\"\",\"cause\":\"CURRENT\"}")).isNull();
        assertThat(ScoreAnnouncements.reportOf("not json")).isNull();
    }
}
