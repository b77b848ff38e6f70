package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The results of one run: machine facts, one row per measured phase (rate, ratio to the echo baseline of the
 * same service in the same run, latency percentiles, failures, peak RSS of each service), and free-form
 * sections for what a row cannot say (ledger checks, cost by history size). Written as Markdown and CSV.
 */
public final class ResultsTable {

    /** One measured phase. {@code echoRate} is 0 for the echo rows themselves and for unrelated phases. */
    public record Row(String scenario, String load, Measurement m, double echoRate, Map<String, Long> rssMib,
            Map<String, Double> cpuMsPerOp, String loadAverage, String note) {

        /** A row without CPU and load figures (phases measured inside another). */
        public Row(String scenario, String load, Measurement m, double echoRate, String note) {
            this(scenario, load, m, echoRate, Map.of(), Map.of(), "", note);
        }

        public double ratio() {
            return echoRate <= 0 ? Double.NaN : m.rate() / echoRate;
        }
    }

    private final Map<String, String> facts = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<String> sections = new ArrayList<>();

    public void fact(String name, String value) {
        facts.put(name, value);
    }

    public void add(Row row) {
        rows.add(row);
        System.out.println("load: " + row.m() + (row.echoRate() > 0
                ? String.format(Locale.ROOT, " (%.2f of echo)", row.ratio()) : ""));
    }

    /** A Markdown section (heading and body) placed after the table. */
    public void section(String heading, String markdownBody) {
        sections.add("## " + heading + "\n\n" + markdownBody.strip() + "\n");
    }

    public List<Row> rows() {
        return rows;
    }

    /**
     * Compares the rows that were compared with an echo rate of {@code measured} with {@code higher} instead,
     * when it is higher: the echo measured again after a scenario, on services that kept warming up meanwhile.
     */
    public void compareWithHigherEcho(double measured, double higher) {
        if (measured <= 0 || higher <= measured) {
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (r.echoRate() == measured) {
                rows.set(i, new Row(r.scenario(), r.load(), r.m(), higher, r.rssMib(), r.cpuMsPerOp(),
                        r.loadAverage(), r.note()));
            }
        }
    }

    public String markdown() {
        StringBuilder b = new StringBuilder(
                "# Civic Credit load test results\n\n## Machine\n\n| fact | value |\n|---|---|\n");
        facts.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
        b.append("\n## Results\n\nRates are successful operations per second; the ratio divides a scenario's rate "
                + "by the "
                + "echo rate of the same service at the same concurrency, measured just before the scenario and again just after "
                + "it, whichever was higher (a freshly started service still compiles during the first). Latencies "
                + "in ms. CPU: microseconds of CPU each service (reports / scoring / rewards) and PostgreSQL (pg: all its "
                + "processes on this machine) used per operation. "
                + "RSS: their peak resident memory during the phase, MiB. Load: the machine's 1-minute load "
                + "average at the end of the phase (2 cores; above 2, other programs competed for them).\n\n")
                .append("| scenario | load | ops | rate/s | echo/s | ratio | p50 | p99 | p99.9 | max | failures "
                        + "| CPU µs/op r/s/w/pg | RSS r/s/w MiB | load avg | note |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---|\n");
        for (Row r : rows) {
            Measurement m = r.m();
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %s | %s | %.2f | %.2f | %.2f | %.2f | %s | %s "
                    + "| %s | %s | %s |%n",
                    r.scenario(), r.load(), m.successes(), m.rate(),
                    r.echoRate() > 0 ? String.format(Locale.ROOT, "%.1f", r.echoRate()) : "",
                    r.echoRate() > 0 ? String.format(Locale.ROOT, "%.2f", r.ratio()) : "",
                    m.millisAt(50), m.millisAt(99), m.millisAt(99.9), m.maxMillis(), failures(m),
                    r.cpuMsPerOp().values().stream().map(v -> String.format(Locale.ROOT, "%.0f", v * 1000))
                            .collect(Collectors.joining(" / ")),
                    r.rssMib().values().stream().map(String::valueOf).collect(Collectors.joining(" / ")),
                    r.loadAverage(), r.note().replace("|", "\\|")));
        }
        b.append('\n');
        sections.forEach(s -> b.append(s).append('\n'));
        return b.toString();
    }

    public String csv() {
        StringBuilder b = new StringBuilder("scenario,load,operations,rate_per_s,echo_rate_per_s,ratio,p50_ms,p99_ms,"
                + "p999_ms,max_ms,failures,cpu_ms_per_op_reports,cpu_ms_per_op_scoring,cpu_ms_per_op_rewards,"
                + "cpu_ms_per_op_postgres,rss_reports_mib,rss_scoring_mib,rss_rewards_mib,load_average,note\n");
        for (Row r : rows) {
            Measurement m = r.m();
            b.append(String.join(",", quote(r.scenario()), quote(r.load()), Long.toString(m.successes()),
                    num(m.rate()), r.echoRate() > 0 ? num(r.echoRate()) : "", r.echoRate() > 0 ? num(r.ratio()) : "",
                    num(m.millisAt(50)), num(m.millisAt(99)), num(m.millisAt(99.9)), num(m.maxMillis()),
                    Long.toString(m.failureCount()), cpu(r, "reports"), cpu(r, "scoring"), cpu(r, "rewards"),
                    cpu(r, ProcessCpu.POSTGRES),
                    rss(r, "reports"), rss(r, "scoring"), rss(r, "rewards"), r.loadAverage(),
                    quote(r.note()))).append('\n');
        }
        return b.toString();
    }

    /** Writes {@code <stem>.md} and {@code <stem>.csv} into {@code dir}. */
    public void write(Path dir, String stem) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(stem + ".md"), markdown());
        Files.writeString(dir.resolve(stem + ".csv"), csv());
    }

    private static String failures(Measurement m) {
        return m.failures().isEmpty() ? "0" : m.failures().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("; "));
    }

    private static String rss(Row r, String service) {
        Long v = r.rssMib().get(service);
        return v == null ? "" : v.toString();
    }

    private static String cpu(Row r, String service) {
        Double v = r.cpuMsPerOp().get(service);
        return v == null ? "" : num(v);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String quote(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
