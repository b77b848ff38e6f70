package org.civiccredit.scoring.grpc;

import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads scoring-service's audit log in tests, each entry as {@code action | actor | refs}. */
public final class AuditEntries {

    private AuditEntries() {
    }

    /** The seq of the newest entry (0 when there is none): a mark to read the entries after. */
    public static long last(AgroalDataSource db) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT coalesce(max(seq), 0) FROM audit_log"); ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The entries after {@code mark}, oldest first. */
    public static List<String> after(AgroalDataSource db, long mark) {
        return query(db, "SELECT action, actor, refs FROM audit_log WHERE seq > ? ORDER BY seq", mark);
    }

    /**
     * The entries after {@code mark} made by calls, not by scheduled jobs (actor {@code system:…}), which may
     * append at any moment while a test runs.
     */
    public static List<String> byCallsAfter(AgroalDataSource db, long mark) {
        return query(db, "SELECT action, actor, refs FROM audit_log WHERE seq > ? AND actor NOT LIKE 'system:%' "
                + "ORDER BY seq", mark);
    }

    private static List<String> query(AgroalDataSource db, String sql, long mark) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, mark);
            List<String> entries = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    entries.add(r.getString(1) + " | " + r.getString(2) + " | " + r.getString(3));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
