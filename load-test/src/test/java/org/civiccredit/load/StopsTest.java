package org.civiccredit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class StopsTest {

    @Test
    void readsEachSafepointAsTheIntervalBeforeItsLine() {
        List<Stops.Stop> stops = Stops.parse(Stream.of(
                "[250603395101ns] Safepoint \"G1CollectForAllocation\", Time since last: 3164722 ns, Reaching "
                        + "safepoint: 1787 ns, Cleanup: 2687 ns, At safepoint: 2251250 ns, Total: 2255724 ns",
                "[250608615790ns] GC(11) Pause Young (Normal) (G1 Evacuation Pause) 41M->5M(64M) 2.271ms",
                "[250614539520ns] Safepoint \"Cleanup\", Time since last: 3785363 ns, Reaching safepoint: 1409 ns, "
                        + "Cleanup: 2049 ns, At safepoint: 2096157 ns, Total: 2099615 ns"));
        assertEquals(List.of(new Stops.Stop(250603395101L - 2255724L, 250603395101L, "G1CollectForAllocation"),
                new Stops.Stop(250614539520L - 2099615L, 250614539520L, "Cleanup")), stops);
    }

    @Test
    void findsOverlapsInSortedStops() {
        List<Stops.Stop> stops = List.of(new Stops.Stop(10, 20, "a"), new Stops.Stop(30, 40, "b"),
                new Stops.Stop(50, 60, "c"));
        assertTrue(Stops.anyOverlaps(stops, 15, 16));
        assertTrue(Stops.anyOverlaps(stops, 0, 11));
        assertTrue(Stops.anyOverlaps(stops, 39, 100));
        assertTrue(Stops.anyOverlaps(stops, 25, 55));
        assertFalse(Stops.anyOverlaps(stops, 20, 30), "touching ends do not overlap");
        assertFalse(Stops.anyOverlaps(stops, 41, 49));
        assertFalse(Stops.anyOverlaps(stops, 61, 70));
        assertFalse(Stops.anyOverlaps(stops, 0, 10));
        assertFalse(Stops.anyOverlaps(List.of(), 0, 100));
        assertEquals(List.of(new Stops.Stop(30, 40, "b")), Stops.within(stops, 35, 45));
    }

    @Test
    void countsSlowCallsUnderWhatTheirBurstOverlapped() {
        Measurement m = new Measurement("GetScore half", 10);
        m.started(0);
        long ms = 1_000_000;
        m.success(0, 1 * ms);                 // fast: not kept
        m.success(10 * ms, 20 * ms);          // overlaps scoring's stop at 12-14 ms
        m.success(15 * ms, 26 * ms);          // queued behind it: starts in the first call's burst, after the stop
        m.success(30 * ms, 37 * ms);          // overlaps the driver's stop at 35-36 ms and a hiccup
        m.success(50 * ms, 58 * ms);          // overlaps nothing
        m.success(70 * ms, 76 * ms);          // overlaps nothing
        m.ended(100 * ms);
        Map<String, List<Stops.Stop>> stops = new java.util.LinkedHashMap<>();
        stops.put("driver", List.of(new Stops.Stop(500 * ms, 501 * ms, "x"), new Stops.Stop(35 * ms, 36 * ms, "G1")));
        stops.put("scoring", List.of(new Stops.Stop(12 * ms, 14 * ms, "G1")));
        stops.put("rewards", List.of());
        String row = TailCauses.row(m, List.of(new Stops.Stop(36 * ms, 38 * ms, "driver thread late")), stops, null);
        assertEquals("| GetScore half | 5 of 6 (83.33%) | 4, longest 16.0 ms | driver 1, scoring 2, rewards 0, "
                + "driver late 1 | 2 (median 8.0 ms) | driver 1, 1.0 ms, longest 1.0 ms; scoring 1, 2.0 ms, "
                + "longest 2.0 ms; rewards no log; driver late 1, 2.0 ms, longest 2.0 ms | not sampled |", row);
    }

    @Test
    void placesTimesInOrOutOfBursts() {
        List<long[]> bursts = List.of(new long[] {10, 20}, new long[] {30, 40});
        assertTrue(CpuTimeline.inBurst(bursts, 10));
        assertTrue(CpuTimeline.inBurst(bursts, 35));
        assertFalse(CpuTimeline.inBurst(bursts, 20));
        assertFalse(CpuTimeline.inBurst(bursts, 25));
        assertFalse(CpuTimeline.inBurst(bursts, 5));
        assertFalse(CpuTimeline.inBurst(bursts, 45));
        assertFalse(CpuTimeline.inBurst(List.of(), 1));
    }

    @Test
    void seesTheCpuThisProcessUsesInABurst() throws InterruptedException {
        try (CpuTimeline cpu = new CpuTimeline(Map.of("driver", ProcessHandle.current().pid()))) {
            cpu.start();
            Thread.sleep(350);
            long from = System.nanoTime();
            long spun = 0;
            while (System.nanoTime() - from < 600_000_000L) {
                spun++;
            }
            long to = System.nanoTime();
            Thread.sleep(250);
            cpu.stop();
            String shares = cpu.insideAndOutside(List.of(new long[] {from, to}));
            java.util.regex.Matcher in = java.util.regex.Pattern
                    .compile("^in bursts \\(([\\d.]+) s\\): busy [\\d.]+ = driver ([\\d.]+) \\+ other")
                    .matcher(shares);
            assertTrue(in.find(), shares);
            assertTrue(Double.parseDouble(in.group(2)) > 0.4, "one thread spinning is most of a core: " + shares
                    + " (" + spun + ")");
            assertTrue(shares.contains("; outside ("), shares);
        }
    }

    @Test
    void countsTheTimeTheHostTookFromTheMachineApartFromOtherWork() {
        try (CpuTimeline cpu = new CpuTimeline(Map.of("scoring", 1L))) {
            long ms = 1_000_000L;
            // 100 ms windows, ticks of 10 ms; the machine's busy ticks include the stolen ones.
            cpu.add(new CpuTimeline.Sample(0, 0, 0, 0, new long[] {0}));
            cpu.add(new CpuTimeline.Sample(100 * ms, 14, 20, 6, new long[] {5}));
            cpu.add(new CpuTimeline.Sample(200 * ms, 24, 40, 6, new long[] {10}));
            String shares = cpu.insideAndOutside(List.of(new long[] {0, 100 * ms}));
            assertEquals("in bursts (0.1 s): busy 1.40 = scoring 0.50 + other 0.30 + stolen 0.60; outside (0.1 s): "
                    + "busy 1.00 = scoring 0.50 + other 0.50 + stolen 0.00", shares);
        }
    }

    @Test
    void keepsOnlyAsManySlowCallsAsItHasRoomFor() {
        Measurement m = new Measurement("x", 2);
        for (int i = 0; i < 5; i++) {
            m.success(i * 100_000_000L, i * 100_000_000L + 6_000_000L);
        }
        assertEquals(5, m.slowTotal());
        assertEquals(2, m.slowCalls().length);
        assertEquals(100_000_000L, m.slowCalls()[1][0]);
        assertFalse(new Measurement("closed").keepsSlow());
    }
}
