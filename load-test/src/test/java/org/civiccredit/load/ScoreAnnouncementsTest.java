package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
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

    /**
     * A report announced while its wait is being registered is never missed: two threads meet at a barrier before
     * each of 50,000 reports, then one announces it and the other awaits it, at the same moment. Each wait must be
     * complete once both are done (the timeout is far beyond the test's length, so a missed announcement shows as a
     * wait still pending). Before the lock, a lookup in one map and an insert into the other could interleave so
     * that each thread missed the other's write.
     */
    @Test
    void everyReportAnnouncedWhileItsWaitBeginsIsSeen() throws Exception {
        int reports = 50_000;
        try (ScoreAnnouncements announcements = new ScoreAnnouncements()) {
            List<CompletableFuture<Long>> waits = new ArrayList<>(reports);
            CyclicBarrier together = new CyclicBarrier(2);
            Thread announcer = new Thread(() -> {
                for (int i = 0; i < reports; i++) {
                    String message = "{\"type\":\"score\",\"report\":\"r-" + i + "\"}";
                    await(together);
                    announcements.announced(message);
                }
            });
            announcer.start();
            for (int i = 0; i < reports; i++) {
                String report = "r-" + i;
                await(together);
                waits.add(announcements.visible(report, 600));
            }
            announcer.join();
            long pending = waits.stream().filter(w -> !w.isDone()).count();
            assertThat(pending).as("waits whose announcement was missed").isZero();
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }
}
