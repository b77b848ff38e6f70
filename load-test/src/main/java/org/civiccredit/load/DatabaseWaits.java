package org.civiccredit.load;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the services' PostgreSQL sessions were doing during a phase: pg_stat_activity sampled every 100 ms,
 * sessions of the running system's databases (civic_reports, civic_scoring, civic_rewards; never the tests'
 * ones) that are active or idle in a transaction, counted by database and wait event (CPU when there is
 * none; Lock for row locks, with the start of the waiting statement; IO WALSync / LWLock WALWrite for commits
 * waiting on the disk; "idle in transaction" while the service holds a transaction open between statements).
 * The averages say how many sessions were in each state: where the database time of a scenario goes.
 */
public final class DatabaseWaits {

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Long> counts = new HashMap<>();
    private Connection connection;
    private ScheduledFuture<?> sampling;
    private long samples;

    public DatabaseWaits(String jdbcUrl, String user, String password, ScheduledExecutorService scheduler) {
        this.jdbcUrl = Loopback.requireJdbc(jdbcUrl);
        this.user = user;
        this.password = password;
        this.scheduler = scheduler;
    }

    public synchronized void start() {
        counts.clear();
        samples = 0;
        try {
            connection = DriverManager.getConnection(jdbcUrl, user, password);
        } catch (SQLException e) {
            System.err.println("load: pg_stat_activity not sampled: " + e.getMessage());
            return;
        }
        sampling = scheduler.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
    }

    /** Stops sampling; returns "database: wait" → average number of active sessions in it, largest first. */
    public synchronized Map<String, Double> stop() {
        if (sampling != null) {
            sampling.cancel(false);
            sampling = null;
        }
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing anyway
        }
        connection = null;
        Map<String, Double> averages = new LinkedHashMap<>();
        long n = Math.max(1, samples);
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> averages.put(e.getKey(), e.getValue() / (double) n));
        return averages;
    }

    /** The averages as one Markdown line, e.g. "civic_rewards Lock:transactionid 9.1, ...". */
    public static String describe(Map<String, Double> averages, int top) {
        StringBuilder b = new StringBuilder();
        averages.entrySet().stream().limit(top).forEach(e -> b.append(b.length() == 0 ? "" : "; ")
                .append(String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue())));
        return b.length() == 0 ? "no active sessions seen" : b.toString();
    }

    private synchronized void sample() {
        if (connection == null) {
            return;
        }
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("""
                SELECT datname, CASE WHEN state <> 'active' THEN 'idle in transaction after "'
                                          || left(regexp_replace(query, '\\s+', ' ', 'g'), 45) || '…"'
                                     WHEN wait_event_type = 'Lock' THEN 'Lock:' || wait_event || ' in "'
                                          || left(regexp_replace(query, '\\s+', ' ', 'g'), 45) || '…"'
                                     ELSE coalesce(wait_event_type || ':' || wait_event, 'CPU') END,
                       count(*)
                FROM pg_stat_activity
                WHERE state IN ('active', 'idle in transaction') AND pid <> pg_backend_pid()
                  AND datname IN ('civic_reports', 'civic_scoring', 'civic_rewards')
                GROUP BY 1, 2
                """)) {
            samples++;
            while (r.next()) {
                counts.merge(r.getString(1) + " " + r.getString(2), r.getLong(3), Long::sum);
            }
        } catch (SQLException e) {
            // a missed sample
        }
    }
}
