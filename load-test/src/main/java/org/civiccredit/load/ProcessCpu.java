package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time the service processes used (utime + stime of /proc/PID/stat). Divided by a phase's operations it
 * gives the CPU cost of one operation in each service, a figure that other programs competing for the same
 * cores disturb much less than rates and latencies do.
 */
public final class ProcessCpu {

    /** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
    static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Long> pids;

    public ProcessCpu(Map<String, Long> pids) {
        this.pids = pids;
    }

    /** CPU milliseconds used so far, per service. */
    public Map<String, Double> millis() {
        Map<String, Double> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long ticks = ticks(pid);
            if (ticks >= 0) {
                out.put(name, ticks * 1000 / TICKS_PER_SECOND);
            }
        });
        return out;
    }

    /** Clock ticks of CPU (user + system, all threads) process {@code pid} used so far; -1 when it is not running. */
    static long ticks(long pid) {
        return ticks(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** utime + stime of a {@code stat} file of /proc (a process's or a thread's); -1 when unreadable. */
    static long ticks(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command: state is field 3, utime field 14, stime field 15 (1-based, man proc)
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    /** CPU milliseconds per operation between two readings, per service. */
    public static Map<String, Double> perOperation(Map<String, Double> before, Map<String, Double> after,
            long operations) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.forEach((name, ms) -> {
            Double start = before.get(name);
            if (start != null && operations > 0) {
                out.put(name, (ms - start) / operations);
            }
        });
        return out;
    }
}
