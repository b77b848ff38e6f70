package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/**
 * The rows of rewards-service's {@code audit_log}, read straight from PostgreSQL so a test sees what was committed,
 * and altered there (as someone with database access could) to show the chain catches it.
 */
public final class AuditRows {

    /** One stored entry. */
    public record Row(long seq, String action, String actor, String refs) {
        public List<String> refList() {
            return refs.isEmpty() ? List.of() : Arrays.asList(refs.split(","));
        }
    }

    private final DataSource db;

    public AuditRows(DataSource db) {
        this.db = db;
    }

    /** The sequence number of the newest entry (0 when there is none). */
    public long last() {
        return query("SELECT coalesce(max(seq), 0) FROM audit_log", ps -> {
        }, rs -> rs.getLong(1)).get(0);
    }

    /**
     * An entry's position in the sealed chain (set by the sealing that every verification runs first). Positions
     * have no gaps; sequence numbers may (an append whose transaction rolled back used one).
     */
    public long chainPosition(long seq) {
        return query("SELECT chain_pos FROM audit_log WHERE seq = ?", ps -> ps.setLong(1, seq),
                rs -> rs.getLong(1)).get(0);
    }

    /** Every entry after {@code seq}, in order. */
    public List<Row> after(long seq) {
        return query("SELECT seq, action, actor, refs FROM audit_log WHERE seq > ? ORDER BY seq",
                ps -> ps.setLong(1, seq), rs -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getString(4)));
    }

    /** The entries {@code change} appended (nothing else writes the log while a test runs). */
    public List<Row> appendedBy(Runnable change) {
        long mark = last();
        change.run();
        return after(mark);
    }

    /** Asserts that {@code change} appended exactly one entry, of {@code action}; returns it. */
    public Row onlyEntryOf(Runnable change, String action) {
        List<Row> rows = appendedBy(change);
        assertThat(rows).extracting(Row::action).containsExactly(action);
        return rows.get(0);
    }

    /** Asserts that {@code replay} appended nothing. */
    public void noEntryFrom(Runnable replay) {
        assertThat(appendedBy(replay)).as("entries appended by a replay").isEmpty();
    }

    /**
     * Overwrites one entry's refs, with the append-only trigger switched off only inside this one transaction, as
     * a database owner tampering with the log would; returns the refs it had.
     */
    public String overwriteRefs(long seq, String refs) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            String before;
            try (PreparedStatement ps = c.prepareStatement("SELECT refs FROM audit_log WHERE seq = ?")) {
                ps.setLong(1, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("entry " + seq + " exists").isTrue();
                    before = rs.getString(1);
                }
            }
            try (Statement s = c.createStatement();
                    PreparedStatement ps = c.prepareStatement("UPDATE audit_log SET refs = ? WHERE seq = ?")) {
                s.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change");
                ps.setString(1, refs);
                ps.setLong(2, seq);
                assertThat(ps.executeUpdate()).isEqualTo(1);
                s.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change");
            }
            c.commit();
            return before;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether an UPDATE of the log is refused while its trigger is on. */
    public boolean updateRefused(long seq) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_log SET actor = actor WHERE seq = " + seq);
            return false;
        } catch (SQLException e) {
            return e.getMessage().contains("append-only");
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, Binder binder, Reader<T> reader) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
