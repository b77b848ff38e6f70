package org.civiccredit.load;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The facts a results table needs to be read fairly: machine, JDKs, versions, commit, load at the start. */
public final class MachineFacts {

    private MachineFacts() {
    }

    static void record(ResultsTable results, Options o, String scoringDb, String dbUser, String dbPassword,
            String redisHost, int redisPort) {
        results.fact("started", OffsetDateTime.now().toString());
        results.fact("git commit", o.get("commit", "unknown"));
        results.fact("cores", Runtime.getRuntime().availableProcessors() + " (" + cpuModel() + ")");
        results.fact("memory", memTotal());
        results.fact("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        results.fact("driver JDK", System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        results.fact("driver JVM", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
                + "; collectors " + ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", ")));
        results.fact("services JDK", o.get("services-jdk", "as the driver"));
        results.fact("CPUs allowed", cpusAllowed(o.pids()));
        results.fact("load average at start", read("/proc/loadavg"));
        try {
            results.fact("PostgreSQL", Provisioning.text(scoringDb, dbUser, dbPassword, "SHOW server_version"));
        } catch (Exception e) {
            results.fact("PostgreSQL", "unknown (" + e.getMessage() + ")");
        }
        try (RedisWire redis = new RedisWire(redisHost, redisPort)) {
            String info = (String) redis.call("INFO", "server");
            results.fact("Redis", info.lines().filter(l -> l.startsWith("redis_version:")).findFirst()
                    .map(l -> l.substring(14)).orElse("unknown"));
        }
        results.fact("phases", o.seconds() + " s measured after " + o.warmupSeconds() + " s warm-up");
    }

    /**
     * Which CPUs the driver and each service may run on (the kernel's affinity list), e.g. "driver 1; reports 0,
     * scoring 0, rewards 0" when scripts/load.sh separated them.
     */
    static String cpusAllowed(Map<String, Long> pids) {
        StringBuilder s = new StringBuilder("driver ").append(cpusAllowed("/proc/self/status"));
        String services = pids.entrySet().stream()
                .map(e -> e.getKey() + " " + cpusAllowed("/proc/" + e.getValue() + "/status"))
                .collect(Collectors.joining(", "));
        return services.isEmpty() ? s.toString() : s.append("; ").append(services).toString();
    }

    private static String cpusAllowed(String statusFile) {
        return field(statusFile, "Cpus_allowed_list:").orElse("unknown");
    }

    private static String cpuModel() {
        return field("/proc/cpuinfo", "model name").orElse("unknown model");
    }

    private static String memTotal() {
        return field("/proc/meminfo", "MemTotal")
                .map(v -> Long.parseLong(v.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB").orElse("unknown");
    }

    /** The value of the first {@code key: value} line of a /proc file whose line starts with {@code key}. */
    private static Optional<String> field(String file, String key) {
        return read(file).lines().filter(l -> l.startsWith(key)).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim());
    }

    private static String read(String file) {
        try {
            return String.join("\n", List.of(Files.readString(Path.of(file)).strip()));
        } catch (IOException e) {
            return "unknown";
        }
    }
}
