package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Optional JFR recordings of the services, one per measured phase and service ({@code jcmd PID JFR.start}, stopped
 * and dumped when the phase ends), each summarised by {@link JfrHotspots} next to it. Off unless {@code --jfr}:
 * {@code true} records with the JDK's "profile" settings (locks, sockets and allocations too, but execution samples
 * only every 10 ms: too few to place a cost of a few per cent in a 20 s phase), {@code cpu} with
 * {@code cpu-samples.jfc}: execution samples every millisecond and the collections only.
 */
public final class Profiler {

    private final Map<String, Long> pids;
    private final Path dir;
    private final boolean enabled;
    private final String settings;

    /** {@code mode}: "false" (no recordings), "true" (the JDK's profile settings) or "cpu" (see the class). */
    public Profiler(Map<String, Long> pids, Path dir, String mode) {
        this.pids = pids;
        this.dir = dir;
        this.enabled = !mode.equals("false") && !pids.isEmpty();
        this.settings = switch (mode) {
            case "false", "true" -> "profile";
            case "cpu" -> enabled ? cpuSettings(dir).toString() : "";
            default -> throw new IllegalArgumentException("--jfr takes true, cpu or false, not " + mode);
        };
    }

    /** The bundled settings, written beside the recordings: jcmd hands the service a file name to read. */
    private static Path cpuSettings(Path dir) {
        try (var in = Profiler.class.getResourceAsStream("/cpu-samples.jfc")) {
            Files.createDirectories(dir);
            Path file = dir.resolve("cpu-samples.jfc").toAbsolutePath();
            Files.write(file, in.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void start(String phase) {
        if (!enabled) {
            return;
        }
        pids.forEach((service, pid) -> jcmd(pid, "JFR.start", "name=" + name(phase), "settings=" + settings));
    }

    public void stop(String phase) {
        if (!enabled) {
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            System.err.println("load: cannot create " + dir + ": " + e.getMessage());
            return;
        }
        pids.forEach((service, pid) -> {
            Path file = dir.resolve(service + "-" + name(phase) + ".jfr").toAbsolutePath();
            jcmd(pid, "JFR.stop", "name=" + name(phase), "filename=" + file);
            if (Files.exists(file)) {
                try {
                    Files.writeString(dir.resolve(service + "-" + name(phase) + ".txt"),
                            JfrHotspots.summary(file, 25));
                } catch (IOException | RuntimeException e) {
                    System.err.println("load: cannot summarise " + file + ": " + e.getMessage());
                }
            }
        });
    }

    static String name(String phase) {
        return phase.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    private static void jcmd(long pid, String... command) {
        List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                System.err.println("load: " + String.join(" ", cmd) + " failed: " + out.strip());
            }
        } catch (IOException e) {
            System.err.println("load: jcmd not available: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
