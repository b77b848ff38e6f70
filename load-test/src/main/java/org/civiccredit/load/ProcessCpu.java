package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time the service processes used (utime + stime of /proc/PID/stat), and PostgreSQL's: every process of this
 * machine whose command is {@code postgres} (the server, its background workers and one backend per connection).
 * Divided by a phase's operations it gives the CPU cost of one operation in each service and in the database, a
 * figure that other programs competing for the same cores disturb much less than rates and latencies do. A backend
 * that ends during the phase takes its CPU time with it; the services' pools keep theirs open.
 */
public final class ProcessCpu {

    /** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
    static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Long> pids;

    public ProcessCpu(Map<String, Long> pids) {
        this.pids = pids;
    }

    /** Name of PostgreSQL's entry in {@link #millis()}. */
    public static final String POSTGRES = "postgres";

    /** CPU milliseconds used so far, per service, and then PostgreSQL's ({@link #POSTGRES}) when it runs here. */
    public Map<String, Double> millis() {
        Map<String, Double> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long ticks = ticks(pid);
            if (ticks >= 0) {
                out.put(name, ticks * 1000 / TICKS_PER_SECOND);
            }
        });
        long postgres = ticksOfCommand(Path.of("/proc"), POSTGRES);
        if (postgres >= 0) {
            out.put(POSTGRES, postgres * 1000 / TICKS_PER_SECOND);
        }
        return out;
    }

    /**
     * Clock ticks of CPU used so far by every process under {@code proc} (a /proc) whose {@code comm} is
     * {@code command}; -1 when there is none.
     */
    static long ticksOfCommand(Path proc, String command) {
        long sum = -1;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path process : processes) {
                String comm;
                try {
                    comm = Files.readString(process.resolve("comm")).strip();
                } catch (IOException gone) {
                    continue;
                }
                if (comm.equals(command)) {
                    long ticks = ticks(process.resolve("stat"));
                    if (ticks >= 0) {
                        sum = Math.max(sum, 0) + ticks;
                    }
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return -1;
        }
        return sum;
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
