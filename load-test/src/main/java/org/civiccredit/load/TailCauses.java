package org.civiccredit.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an open-loop phase's slow calls (over {@link Measurement#SLOW}) coincided with: a stop of the driver's JVM
 * or of a service's (their safepoint logs, {@link Stops}), or a time in which the driver's own threads could not
 * run ({@link Hiccups}). A burst of slow calls that overlaps none of these waited for something else: a core, a
 * queue, a lock, the network stack. The counts overlap (a burst may coincide with several), so they do not add up.
 */
final class TailCauses {

    private TailCauses() {
    }

    /**
     * One table row for {@code m}. Its slow calls are first joined into bursts: calls whose intervals (intended
     * start to completion) overlap, chained, form one burst, so that the calls that queued behind a stop, and only
     * completed after it, count with the calls that overlapped it. Then each burst is laid over each process's stops
     * and the driver's hiccups; the row gives how many slow calls were in bursts that overlapped each, how many in
     * bursts that overlapped nothing (with their median), and each process's stops during the phase.
     *
     * @param stops process name → its safepoint stops (any order; null or empty when it has no log)
     * @param cpu the phase's CPU samples, or null
     */
    static String row(Measurement m, List<Stops.Stop> hiccups, Map<String, List<Stops.Stop>> stops,
            CpuTimeline cpu) {
        long[][] calls = m.slowCalls();
        long from = m.startNanos();
        long to = Math.max(m.endNanos(), Arrays.stream(calls).mapToLong(c -> c[1]).max().orElse(from));
        Map<String, List<Stops.Stop>> during = new LinkedHashMap<>();
        stops.forEach((name, all) -> during.put(name, sorted(Stops.within(all == null ? List.of() : all, from, to))));
        during.put("driver late", sorted(hiccups));
        Map<String, Integer> overlapping = new LinkedHashMap<>();
        during.keySet().forEach(name -> overlapping.put(name, 0));
        List<Long> unexplained = new ArrayList<>();
        List<long[]> bursts = bursts(calls);
        long longest = 0;
        for (long[] burst : bursts) {
            longest = Math.max(longest, burst[1] - burst[0]);
            boolean any = false;
            for (Map.Entry<String, List<Stops.Stop>> e : during.entrySet()) {
                if (Stops.anyOverlaps(e.getValue(), burst[0], burst[1])) {
                    overlapping.merge(e.getKey(), (int) burst[2], Integer::sum);
                    any = true;
                }
            }
            if (!any) {
                for (int i = (int) burst[3]; i < burst[3] + burst[2]; i++) {
                    unexplained.add(calls[i][1] - calls[i][0]);
                }
            }
        }
        unexplained.sort(Comparator.naturalOrder());
        long total = m.successes();
        StringBuilder b = new StringBuilder("| ").append(m.name()).append(" | ")
                .append(String.format(Locale.ROOT, "%d of %d (%.2f%%)%s", m.slowTotal(), total,
                        total == 0 ? 0 : 100.0 * m.slowTotal() / total,
                        calls.length < m.slowTotal() ? ", first " + calls.length + " examined" : ""))
                .append(String.format(Locale.ROOT, " | %d, longest %.1f ms | ", bursts.size(), longest / 1e6));
        List<String> counts = new ArrayList<>();
        overlapping.forEach((name, n) -> counts.add(name + " " + n));
        b.append(String.join(", ", counts)).append(" | ").append(unexplained.size());
        if (!unexplained.isEmpty()) {
            b.append(String.format(Locale.ROOT, " (median %.1f ms)",
                    unexplained.get(unexplained.size() / 2) / 1e6));
        }
        b.append(" | ");
        List<String> summaries = new ArrayList<>();
        during.forEach((name, list) -> summaries.add(name + " " + summary(list, name.equals("driver late")
                || (stops.get(name) != null && !stops.get(name).isEmpty()))));
        b.append(String.join("; ", summaries)).append(" | ")
                .append(cpu == null ? "not sampled" : cpu.insideAndOutside(bursts)).append(" |");
        return b.toString();
    }

    /**
     * Joins calls (sorted here by start) whose intervals overlap, chained, into bursts: {@code [start, end, calls,
     * index of the first call in the sorted array]}.
     */
    static List<long[]> bursts(long[][] calls) {
        Arrays.sort(calls, Comparator.comparingLong(c -> c[0]));
        List<long[]> out = new ArrayList<>();
        long[] current = null;
        for (int i = 0; i < calls.length; i++) {
            if (current != null && calls[i][0] < current[1]) {
                current[1] = Math.max(current[1], calls[i][1]);
                current[2]++;
            } else {
                current = new long[] {calls[i][0], calls[i][1], 1, i};
                out.add(current);
            }
        }
        return out;
    }

    /** Count, total and longest of {@code stops}, or "no log". */
    static String summary(List<Stops.Stop> stops, boolean logged) {
        if (!logged) {
            return "no log";
        }
        long sum = stops.stream().mapToLong(Stops.Stop::nanos).sum();
        long max = stops.stream().mapToLong(Stops.Stop::nanos).max().orElse(0);
        return String.format(Locale.ROOT, "%d, %.1f ms, longest %.1f ms", stops.size(), sum / 1e6, max / 1e6);
    }

    private static List<Stops.Stop> sorted(List<Stops.Stop> stops) {
        return stops.stream().sorted(Comparator.comparingLong(Stops.Stop::start)).toList();
    }
}
