package org.civiccredit.systemtests;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Direct access to the running services' databases, to check what they hold and to play an intruder. */
final class Databases {

    private Databases() {
    }

    static Connection open(String service) {
        try {
            return DriverManager.getConnection(RunningSystem.dbUrl(service), "civiccredit", "civiccredit");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the database of " + service, e);
        }
    }

    /**
     * Every place in a service's database where one of {@code needles} occurs: each text, JSON and binary
     * column of each table is searched (binary columns as UTF-8, which is how protobuf stores strings).
     *
     * @return {@code table.column contains needle} for each hit
     */
    static List<String> occurrences(String service, List<String> needles) {
        List<String> hits = new ArrayList<>();
        try (Connection c = open(service)) {
            List<String[]> columns = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("""
                    SELECT table_name, column_name, data_type FROM information_schema.columns
                    WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history'
                      AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')""")) {
                while (r.next()) {
                    columns.add(new String[] {r.getString(1), r.getString(2), r.getString(3)});
                }
            }
            for (String[] col : columns) {
                String probe = col[2].equals("bytea")
                        ? "position(convert_to(?, 'UTF8') in \"" + col[1] + "\") > 0"
                        : "position(? in \"" + col[1] + "\"::text) > 0";
                for (String needle : needles) {
                    try (PreparedStatement q = c.prepareStatement(
                            "SELECT count(*) FROM \"" + col[0] + "\" WHERE " + probe)) {
                        q.setString(1, needle);
                        try (ResultSet r = q.executeQuery()) {
                            r.next();
                            if (r.getLong(1) > 0) {
                                hits.add(service + ": " + col[0] + "." + col[1] + " contains " + needle);
                            }
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return hits;
    }

    /** Runs one statement (as the database owner, who can also switch triggers off). */
    static int execute(String service, String sql, Object... params) {
        try (Connection c = open(service); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The first column of the first row of a query. */
    static Object single(String service, String sql, Object... params) {
        try (Connection c = open(service); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getObject(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
