package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Resident memory (VmRSS of /proc/PID/status) of the service processes, sampled twice a second; each
 * scenario reads the highest value seen while it ran.
 */
public final class ProcessMemory {

    private final Map<String, Long> pids;
    private final Map<String, Long> peakKib = new ConcurrentHashMap<>();

    /** @param pids service name → process id, in the order of the results table */
    public ProcessMemory(Map<String, Long> pids, ScheduledExecutorService scheduler) {
        this.pids = new LinkedHashMap<>(pids);
        scheduler.scheduleAtFixedRate(this::sample, 0, 500, TimeUnit.MILLISECONDS);
    }

    /** Starts a new window: peaks are reset to the current values. */
    public void reset() {
        peakKib.clear();
        sample();
    }

    /** Peak RSS in MiB per service since the last reset (services whose pid is unknown are left out). */
    public Map<String, Long> peaksMib() {
        sample();
        Map<String, Long> out = new LinkedHashMap<>();
        pids.keySet().forEach(name -> {
            Long kib = peakKib.get(name);
            if (kib != null) {
                out.put(name, kib / 1024);
            }
        });
        return out;
    }

    public Map<String, Long> pids() {
        return pids;
    }

    private void sample() {
        pids.forEach((name, pid) -> rssKib(pid).ifPresent(kib -> peakKib.merge(name, kib, Math::max)));
    }

    /** VmRSS of a process in KiB, if it is running. */
    static OptionalLong rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // not running (any more)
        }
        return OptionalLong.empty();
    }
}
