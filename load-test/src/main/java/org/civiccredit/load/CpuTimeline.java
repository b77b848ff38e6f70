package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Who used the cores, every 100 ms of a phase: the machine's busy time ({@code /proc/stat}) and each named
 * process's ({@code /proc/PID/stat}, all its threads; 10 ms ticks), the time the host took from this machine's
 * virtual CPUs ("stolen", {@code /proc/stat}'s steal: a virtual machine's CPU that had work but was not running), and
 * the rest as "other" (PostgreSQL, Redis, Keycloak, the kernel). Split by whether a 100 ms window fell in a burst of
 * slow calls ({@link TailCauses}), it shows what the cores were doing while calls waited.
 */
final class CpuTimeline implements AutoCloseable {

    private static final double TICK_MS = 1000 / ProcessCpu.TICKS_PER_SECOND;
    private static final long PERIOD_MS = 100;

    /**
     * One reading: when, the machine's busy ticks (stolen ones included), total ticks and stolen ticks, and each
     * process's ticks (-1 when unreadable).
     */
    record Sample(long nanos, long busy, long total, long stolen, long[] processes) {
    }

    private final Map<String, Long> pids;
    private final ScheduledExecutorService timer;
    private final List<Sample> samples = new ArrayList<>();
    private ScheduledFuture<?> sampling;

    /** @param pids process name → pid, in the order to report them */
    CpuTimeline(Map<String, Long> pids) {
        this.pids = new LinkedHashMap<>(pids);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "load-cpu-timeline");
            t.setDaemon(true);
            return t;
        });
    }

    /** Forgets the samples so far and samples every 100 ms until {@link #stop()}. */
    synchronized void start() {
        stop();
        synchronized (samples) {
            samples.clear();
        }
        sampling = timer.scheduleAtFixedRate(this::sample, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (sampling != null) {
            sampling.cancel(false);
            sampling = null;
        }
    }

    private void sample() {
        long now = System.nanoTime();
        long[] machine = machineTicks();
        long[] processes = pids.values().stream().mapToLong(ProcessCpu::ticks).toArray();
        add(new Sample(now, machine[0], machine[1], machine[2], processes));
    }

    void add(Sample sample) {
        synchronized (samples) {
            samples.add(sample);
        }
    }

    /**
     * The cores' use inside the bursts and outside them, in cores (2.00 = both busy): the machine's, then each
     * process's, "other" and "stolen"; windows whose middle falls in a burst count as inside.
     *
     * @param bursts {@code [start, end, ...]} in {@code System.nanoTime()}, sorted by start
     */
    String insideAndOutside(List<long[]> bursts) {
        List<Sample> copy;
        synchronized (samples) {
            copy = List.copyOf(samples);
        }
        int n = pids.size();
        double[] in = new double[n + 4];
        double[] out = new double[n + 4];
        for (int i = 1; i < copy.size(); i++) {
            Sample a = copy.get(i - 1);
            Sample b = copy.get(i);
            long middle = a.nanos() + (b.nanos() - a.nanos()) / 2;
            double[] into = inBurst(bursts, middle) ? in : out;
            into[0] += (b.nanos() - a.nanos()) / 1e6;
            into[1] += (b.busy() - a.busy()) * TICK_MS;
            double known = 0;
            for (int p = 0; p < n; p++) {
                if (a.processes()[p] >= 0 && b.processes()[p] >= 0) {
                    double ms = (b.processes()[p] - a.processes()[p]) * TICK_MS;
                    into[2 + p] += ms;
                    known += ms;
                }
            }
            double stolen = (b.stolen() - a.stolen()) * TICK_MS;
            into[2 + n] += (b.busy() - a.busy()) * TICK_MS - known - stolen;
            into[3 + n] += stolen;
        }
        return describe("in bursts", in) + "; outside " + describe("", out).strip();
    }

    private String describe(String label, double[] ms) {
        if (ms[0] <= 0) {
            return label + " no samples";
        }
        List<String> parts = new ArrayList<>();
        int p = 0;
        for (String name : pids.keySet()) {
            parts.add(String.format(Locale.ROOT, "%s %.2f", name, ms[2 + p++] / ms[0]));
        }
        parts.add(String.format(Locale.ROOT, "other %.2f", Math.max(0, ms[2 + pids.size()]) / ms[0]));
        parts.add(String.format(Locale.ROOT, "stolen %.2f", ms[3 + pids.size()] / ms[0]));
        return String.format(Locale.ROOT, "%s (%.1f s): busy %.2f = %s", label, ms[0] / 1000, ms[1] / ms[0],
                String.join(" + ", parts));
    }

    static boolean inBurst(List<long[]> bursts, long nanos) {
        int low = 0;
        int high = bursts.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (bursts.get(mid)[1] <= nanos) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low < bursts.size() && bursts.get(low)[0] <= nanos;
    }

    /** The machine's busy, total and stolen ticks (all cores), from the first line of /proc/stat. */
    private static long[] machineTicks() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long total = 0;
            // user nice system idle iowait irq softirq steal (guest time is already counted in user)
            for (int i = 1; i <= 8 && i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            long stolen = f.length > 8 ? Long.parseLong(f[8]) : 0;
            return new long[] {total - idle, total, stolen};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0, 0};
        }
    }

    @Override
    public void close() {
        stop();
        timer.shutdownNow();
    }
}
