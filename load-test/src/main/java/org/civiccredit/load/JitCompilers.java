package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time each service's JIT compilers used during a phase, against the service's whole CPU time. HotSpot
 * compiles on threads of their own ("C1 CompilerThread0", "C2 CompilerThread1"; Linux keeps the first 15 characters
 * of a thread's name), which take the same cores as the service's work: while a service is still compiling its hot
 * paths, its rate measures the compiler as much as the code. Read from {@code /proc/PID/task/TID/comm} and
 * {@code stat} at the phase's start and end. A compiler thread that exits during the phase (HotSpot retires idle
 * ones) takes its time with it, so the compilers' figures are lower bounds; the service's own figure is the
 * process's ({@code /proc/PID/stat}, exited threads included).
 */
final class JitCompilers {

    /** One service's reading: ticks of each live C1 and C2 compiler thread (by thread id), and the process's. */
    record Reading(Map<Long, Long> c1, Map<Long, Long> c2, long process) {
    }

    private final Path proc;
    private final Map<String, Long> pids;

    /** @param proc where the process tree is ({@code /proc}); @param pids service name → pid, in report order */
    JitCompilers(Path proc, Map<String, Long> pids) {
        this.proc = proc;
        this.pids = new LinkedHashMap<>(pids);
    }

    /** Each service's reading now (services that are not running are left out). */
    Map<String, Reading> read() {
        Map<String, Reading> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            Reading r = read(proc, pid);
            if (r != null) {
                out.put(name, r);
            }
        });
        return out;
    }

    /** Process {@code pid}'s reading, or null when it is not running. */
    static Reading read(Path proc, long pid) {
        Path dir = proc.resolve(Long.toString(pid));
        long process = ProcessCpu.ticks(dir.resolve("stat"));
        if (process < 0) {
            return null;
        }
        Map<Long, Long> c1 = new HashMap<>();
        Map<Long, Long> c2 = new HashMap<>();
        try (Stream<Path> tasks = Files.list(dir.resolve("task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                } catch (IOException exited) {
                    continue;
                }
                Map<Long, Long> into = name.startsWith("C1 Compiler") ? c1 : name.startsWith("C2 Compiler") ? c2 : null;
                long t = into == null ? -1 : ProcessCpu.ticks(task.resolve("stat"));
                if (t >= 0) {
                    into.put(Long.parseLong(task.getFileName().toString()), t);
                }
            }
        } catch (IOException | RuntimeException gone) {
            return null;
        }
        return new Reading(c1, c2, process);
    }

    /** Ticks the threads used between two readings: a thread's whole time when it started in between. */
    static long used(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }

    /**
     * One Markdown row: per service, the compilers' share of its CPU time between the readings, C2 and C1, and
     * that CPU time.
     */
    static String row(String phase, Map<String, Reading> before, Map<String, Reading> after) {
        List<String> parts = new ArrayList<>();
        after.forEach((name, end) -> {
            Reading start = before.get(name);
            if (start == null) {
                return;
            }
            long all = end.process() - start.process();
            if (all <= 0) {
                parts.add(name + " no CPU");
                return;
            }
            long c2 = used(start.c2(), end.c2());
            long c1 = used(start.c1(), end.c1());
            parts.add(String.format(Locale.ROOT, "%s %.1f %% (C2 %.1f %%, C1 %.1f %%) of %.1f s", name,
                    100.0 * (c1 + c2) / all, 100.0 * c2 / all, 100.0 * c1 / all, all / ProcessCpu.TICKS_PER_SECOND));
        });
        return "| " + phase + " | " + String.join("; ", parts) + " |";
    }
}
