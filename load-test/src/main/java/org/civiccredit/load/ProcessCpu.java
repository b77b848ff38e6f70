package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time the service processes used (utime + stime of /proc/PID/stat), and PostgreSQL's: every process of this
 * machine whose command is {@code postgres} (the server, its background workers and one backend per connection).
 * Divided by a phase's operations it gives the CPU cost of one operation in each service and in the database, a
 * figure that other programs competing for the same cores disturb much less than rates and latencies do. A backend
 * that ends between two readings is left out (the services' pools keep theirs open).
 */
public final class ProcessCpu {

    /** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
    static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Long> pids;

    public ProcessCpu(Map<String, Long> pids) {
        this.pids = pids;
    }

    /** Name of PostgreSQL's entry in {@link #perOperation}. */
    public static final String POSTGRES = "postgres";

    /** CPU time so far: milliseconds per service, and clock ticks per PostgreSQL process (by pid). */
    public record Reading(Map<String, Double> services, Map<Long, Long> postgres) {
    }

    /** CPU time used so far by each service and by each process of PostgreSQL running now. */
    public Reading read() {
        Map<String, Double> services = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long ticks = ticks(pid);
            if (ticks >= 0) {
                services.put(name, ticks * 1000 / TICKS_PER_SECOND);
            }
        });
        return new Reading(services, ticksOfCommand(Path.of("/proc"), POSTGRES));
    }

    /**
     * Clock ticks of CPU used so far by each process under {@code proc} (a /proc) whose {@code comm} is
     * {@code command}, by pid; empty when there is none.
     */
    static Map<Long, Long> ticksOfCommand(Path proc, String command) {
        Map<Long, Long> out = new HashMap<>();
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
                        out.put(Long.parseLong(process.getFileName().toString()), ticks);
                    }
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return Map.of();
        }
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

    /**
     * CPU milliseconds per operation between two readings, per service, and then PostgreSQL's ({@link #POSTGRES}):
     * what each of its processes running at the end used since the first reading (all of it for one started since).
     * A process that ended in between is left out, with what it used meanwhile.
     */
    public static Map<String, Double> perOperation(Reading before, Reading after, long operations) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (operations <= 0) {
            return out;
        }
        after.services().forEach((name, ms) -> {
            Double start = before.services().get(name);
            if (start != null) {
                out.put(name, (ms - start) / operations);
            }
        });
        if (!after.postgres().isEmpty()) {
            long ticks = 0;
            for (Map.Entry<Long, Long> p : after.postgres().entrySet()) {
                long start = before.postgres().getOrDefault(p.getKey(), 0L);
                // Less than before: the pid was reused by a process started since.
                ticks += p.getValue() >= start ? p.getValue() - start : p.getValue();
            }
            out.put(POSTGRES, ticks * 1000 / TICKS_PER_SECOND / operations);
        }
        return out;
    }
}
