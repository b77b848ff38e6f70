package org.civiccredit.load;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Stands in for PostgreSQL's autovacuum when the server runs without it (this machine's {@code conf.d/90-ci.conf}
 * turns it off): before every measured phase, {@code VACUUM (ANALYZE)} of the tables of each service database,
 * which autovacuum would by then have done in production. With autovacuum on, the driver leaves both to it.
 *
 * <p>Why a phase needs it: the services keep their statements prepared, and PostgreSQL keeps a prepared
 * statement's generic plan until the statistics of a table it reads change, which without autovacuum is never.
 * Plans chosen while the tables were nearly empty (a fresh database: the statistics of the last analysis say
 * "empty") scan whole tables for every statement of the run. In one first run on fresh databases, 4,763 reports
 * read 45 million rows of scoring-service's {@code cap_usage} and 42 million of rewards-service's audit log in
 * sequential scans. And the rows the load updates (cap usage, lots, idempotency keys, audit entries being
 * sealed) leave dead versions that only vacuum reclaims.
 */
public final class Autovacuum {

    private final List<String> databases;
    private final String user;
    private final String password;
    private final String setting;

    /** Reads the server's {@code autovacuum} setting through the first of {@code jdbcUrls}. */
    public Autovacuum(List<String> jdbcUrls, String user, String password) {
        this.databases = jdbcUrls.stream().map(Loopback::requireJdbc).toList();
        this.user = user;
        this.password = password;
        String read;
        try {
            read = Provisioning.text(databases.get(0), user, password, "SHOW autovacuum");
        } catch (SQLException e) {
            read = "unknown (" + e.getMessage() + ")";
        }
        this.setting = read;
    }

    /** Whether the driver vacuums and analyses before each phase: unless the server says autovacuum is on. */
    public boolean standsIn() {
        return !setting.equals("on");
    }

    /** The results' fact: what the server does, and what the driver does about it. */
    public String fact() {
        return standsIn()
                ? setting + ": before every measured phase the driver vacuums and analyses the tables of "
                        + databaseNames() + " (what autovacuum would have done)"
                : "on: left to it";
    }

    /** Before a measured phase: vacuums and analyses every service database when autovacuum does not. */
    public void beforePhase() {
        if (!standsIn()) {
            return;
        }
        long started = System.nanoTime();
        int tables = 0;
        for (String db : databases) {
            try (Connection c = DriverManager.getConnection(db, user, password)) {
                tables += vacuumAnalyze(c);
            } catch (SQLException e) {
                System.err.println("load: could not vacuum " + db + " (measuring anyway): " + e.getMessage());
            }
        }
        System.out.printf(Locale.ROOT, "load: vacuumed and analysed %d tables in %.1f s (autovacuum %s)%n",
                tables, (System.nanoTime() - started) / 1e9, setting);
    }

    /**
     * {@code VACUUM (ANALYZE)} of every table the connection's user owns outside the system schemas, in one
     * statement (the connection must be in auto-commit: VACUUM cannot run inside a transaction). Returns how
     * many tables.
     */
    static int vacuumAnalyze(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("""
                SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
                WHERE tableowner = current_user AND schemaname NOT IN ('pg_catalog', 'information_schema')
                ORDER BY 1""")) {
            while (r.next()) {
                tables.add(r.getString(1));
            }
        }
        if (!tables.isEmpty()) {
            try (Statement s = c.createStatement()) {
                s.execute("VACUUM (ANALYZE) " + String.join(", ", tables));
            }
        }
        return tables.size();
    }

    private String databaseNames() {
        return String.join(", ", databases.stream().map(u -> u.substring(u.lastIndexOf('/') + 1)).toList());
    }
}
