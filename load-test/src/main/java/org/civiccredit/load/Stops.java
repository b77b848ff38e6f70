package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * When a JVM had stopped its Java threads: its safepoints (collections and every other stop-the-world operation),
 * read from the log it writes with {@code -Xlog:safepoint:file=<dir>/safepoints-%p.log:timenanos}. The
 * {@code timenanos} decoration is {@code System.nanoTime()} of the JVM that wrote the line, and on Linux every JVM
 * reads that from the same monotonic clock, so a service's stops can be laid over the driver's call timings. A line
 * is written when its safepoint ends and gives the whole stop ("Total", from asking the threads to stop to letting
 * them go).
 */
final class Stops {

    private static final Pattern LINE = Pattern.compile(
            "^\\[(\\d+)ns\\] Safepoint \"([^\"]+)\",.*\\bTotal: (\\d+) ns");

    /** One stop, in {@code System.nanoTime()}'s clock. */
    record Stop(long start, long end, String operation) {
        long nanos() {
            return end - start;
        }

        boolean overlaps(long from, long to) {
            return start < to && end > from;
        }
    }

    private Stops() {
    }

    /** The safepoint log of process {@code pid} in {@code dir}: {@code safepoints-<pid>.log}. */
    static Path logOf(Path dir, long pid) {
        return dir.resolve("safepoints-" + pid + ".log");
    }

    /** The stops a safepoint log records; empty when there is no such log. */
    static List<Stop> read(Path log) {
        if (!Files.isReadable(log)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(log)) {
            return parse(lines);
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    static List<Stop> parse(Stream<String> lines) {
        List<Stop> out = new ArrayList<>();
        lines.forEach(line -> {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                long end = Long.parseLong(m.group(1));
                out.add(new Stop(end - Long.parseLong(m.group(3)), end, m.group(2)));
            }
        });
        return out;
    }

    /** The stops that overlap {@code [from, to)}. */
    static List<Stop> within(List<Stop> stops, long from, long to) {
        return stops.stream().filter(s -> s.overlaps(from, to)).toList();
    }

    /** Whether any of {@code stops} (sorted by start) overlaps {@code [from, to)}. */
    static boolean anyOverlaps(List<Stop> stops, long from, long to) {
        int low = 0;
        int high = stops.size();
        // the first stop that ends after 'from'; stops do not overlap each other, so their ends are sorted too
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (stops.get(mid).end() <= from) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low < stops.size() && stops.get(low).start() < to;
    }
}
