package org.civiccredit.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.civiccredit.load.Targets.Service;

/**
 * What every scenario of one load run shares: its options, the callers, the memory sampler and the profiler,
 * the results table, and the echo baseline of each service measured in this run.
 */
public final class Run {

    private final Options options;
    private final Clients clients;
    private final ProcessMemory memory;
    private final ProcessCpu cpu;
    private final Profiler profiler;
    private final DatabaseWaits waits;
    private final Autovacuum autovacuum;
    private final StringBuilder waitLines = new StringBuilder();
    private final StringBuilder tailLines = new StringBuilder();
    private final StringBuilder compilerLines = new StringBuilder();
    private final JitCompilers compilers;
    private final Hiccups hiccups = new Hiccups();
    private final CpuTimeline cpuTimeline;
    private final ResultsTable results;
    private final String id;
    private final Map<Service, Double> echoRates = new EnumMap<>(Service.class);

    public Run(Options options, Clients clients, ProcessMemory memory, Profiler profiler, DatabaseWaits waits,
            Autovacuum autovacuum, ResultsTable results, String id) {
        this.waits = waits;
        this.autovacuum = autovacuum;
        this.cpu = new ProcessCpu(memory.pids());
        this.compilers = new JitCompilers(Path.of("/proc"), memory.pids());
        Map<String, Long> processes = new LinkedHashMap<>();
        processes.put("driver", ProcessHandle.current().pid());
        processes.putAll(memory.pids());
        this.cpuTimeline = new CpuTimeline(processes);
        this.options = options;
        this.clients = clients;
        this.memory = memory;
        this.profiler = profiler;
        this.results = results;
        this.id = id;
    }

    /** Adds the database wait table of every measured phase to the results. */
    public void addDatabaseWaits() {
        results.section("Where the database sessions were",
                "Sessions of civic_reports, civic_scoring and civic_rewards, "
                + "sampled every 100 ms: the average number in each state (CPU = running, Lock = waiting for a row "
                + "lock, IO:WALSync / LWLock:WALWrite = commits waiting for the disk, idle in transaction = the "
                + "service holds a transaction open while it does something else).\n\n"
                + "| phase | average active sessions by database and "
                + "state |\n|---|---|\n" + waitLines);
    }

    /** Adds the share of each service's CPU time that its JIT compilers took in every measured phase. */
    public void addCompilerShares() {
        results.section("The JIT compilers' share of each service's CPU",
                "CPU time of each service's C2 and C1 compiler threads during the phase, as a share of the "
                + "service's whole CPU time then (which the last number gives). A large share means the phase "
                + "measured a service that was still compiling its hot paths, not only its code.\n\n"
                + "| phase | compilers' share of each service's CPU time |\n|---|---|\n" + compilerLines);
    }

    /**
     * Adds, for every open-loop phase, what its calls over 5 ms coincided with ({@link TailCauses}), when the
     * processes' safepoint logs are in {@code --safepoint-logs} (scripts/load.sh starts the services and the driver
     * so).
     */
    public void addTailCauses() {
        if (tailLines.isEmpty()) {
            return;
        }
        results.section("What the open loops' slow calls coincided with", """
                Every call of an open-loop phase slower than 5 ms (the goal's p99), from its intended start to its \
                completion. Calls whose intervals overlap, chained, form a burst, so that the calls that queued \
                behind a stop count with those that overlapped it. Each burst is laid over the stops of the \
                driver's and the services' JVMs (their safepoint logs: collections and other stop-the-world \
                operations) and over the driver's hiccups (a driver thread that asked to sleep 1 ms woke more than \
                1 ms late: no core for it, or its JVM stopped). A burst's calls count under every process it \
                overlapped, so the counts overlap; "none" overlapped nothing and waited for something else (a core, \
                a queue, the network stack). The last column gives the cores' use (2.00 = both busy) in the 100 ms \
                windows that fell in a burst and in the others, by process ("other": PostgreSQL, Redis, Keycloak, \
                the kernel; "stolen": time the host did not run this machine's virtual CPUs while they had work, \
                /proc/stat's steal).

                | phase | calls over 5 ms | bursts | calls in bursts overlapping a stop of | in bursts overlapping \
                none | stops during the phase: count, total, longest | cores in bursts and outside |
                |---|---|---|---|---|---|---|
                """ + tailLines);
    }

    public Options options() {
        return options;
    }

    public Clients clients() {
        return clients;
    }

    public ResultsTable results() {
        return results;
    }

    /** A short id unique to this run, used in idempotency keys and report ids. */
    public String id() {
        return id;
    }

    public Duration phase() {
        return Duration.ofSeconds(options.seconds());
    }

    /** Length of an echo baseline phase. */
    public Duration echoPhase() {
        return Duration.ofSeconds(options.integer("echo-seconds", Math.min(15, options.seconds())));
    }

    public Duration warmup() {
        return Duration.ofSeconds(options.warmupSeconds());
    }

    public void echoRate(Service service, double rate) {
        echoRates.put(service, rate);
    }

    /** The echo rate of {@code service} in this run (0 when the echo baseline was not run). */
    public double echoRate(Service service) {
        return echoRates.getOrDefault(service, 0.0);
    }

    /**
     * Runs one measured phase with the memory window (and, when asked, a JFR recording of each service) around
     * it, and adds its row to the results. Before it, the databases are vacuumed and analysed when the server's
     * autovacuum would not do it ({@link Autovacuum}).
     */
    public Measurement measure(String scenario, String load, Service comparedTo, String note,
            Supplier<Measurement> phase) {
        autovacuum.beforePhase();
        memory.reset();
        profiler.start(scenario);
        waits.start();
        ProcessCpu.Reading cpuBefore = cpu.read();
        Map<String, JitCompilers.Reading> compilersBefore = compilers.read();
        Measurement m;
        hiccups.clear();
        cpuTimeline.start();
        try {
            m = phase.get();
        } finally {
            cpuTimeline.stop();
            compilerLines.append(JitCompilers.row(scenario, compilersBefore, compilers.read())).append('\n');
            waitLines.append("| ").append(scenario).append(" | ")
                    .append(DatabaseWaits.describe(waits.stop(), 6)).append(" |\n");
            profiler.stop(scenario);
        }
        if (m.keepsSlow()) {
            tailLines.append(TailCauses.row(m, hiccups.within(m.startNanos(), Long.MAX_VALUE), stops(), cpuTimeline))
                    .append('\n');
        }
        results.add(new ResultsTable.Row(scenario, load, m, comparedTo == null ? 0 : echoRate(comparedTo),
                memory.peaksMib(), ProcessCpu.perOperation(cpuBefore, cpu.read(), m.successes()), loadAverage(),
                note));
        return m;
    }

    /** The safepoint stops of the driver and of each service, from the logs in {@code --safepoint-logs}. */
    private Map<String, List<Stops.Stop>> stops() {
        Map<String, List<Stops.Stop>> out = new LinkedHashMap<>();
        String dir = options.get("safepoint-logs", "");
        if (dir.isEmpty()) {
            return out;
        }
        out.put("driver", Stops.read(Stops.logOf(Path.of(dir), ProcessHandle.current().pid())));
        memory.pids().forEach((name, pid) -> out.put(name, Stops.read(Stops.logOf(Path.of(dir), pid))));
        return out;
    }

    /** The machine's 1-minute load average now. */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
