package org.civiccredit.load;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Provisioning shortcut for the score-read scenario: a million enrolled participants cannot be enrolled through
 * Keycloak and gRPC in a reasonable time, so they are written straight into scoring-service's own tables with
 * set-based SQL (generate_series), as the outbox would have registered them: a participant row (score version
 * 2, with the stored score sum and window end scoring-service keeps, so a GetScore miss reads the row alone) and
 * one counting score event each under the demo rule VOL_SHIFT_HOUR. Their ids are
 * {@code 10ad0000-0000-4000-8000-<12 hex digits of n>} for n = 1..count, so the driver can pick one at random
 * without a list. They exist only in scoring-service (not in reports-service or rewards-service) and carry no
 * cap usage: they are read-only fixtures for GetScore. Idempotent: rows present are left alone, except that
 * fixtures written before scoring-service kept the score sum ({@code participant.score_sum}, unknown there) are
 * given it once.
 */
public final class Provisioning {

    static final String ID_PREFIX = "10ad0000-0000-4000-8000-";
    private static final String PREFIX_LITERAL = "'" + ID_PREFIX + "'";

    private Provisioning() {
    }

    /** The participant id of fixture {@code n} (1-based). */
    public static String scoreReaderId(long n) {
        return ID_PREFIX + String.format("%012x", n);
    }

    /** Ensures {@code count} fixture participants in the scoring database; returns how many were added. */
    public static long ensureScoreReaders(String jdbcUrl, String user, String password, long count)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(Loopback.requireJdbc(jdbcUrl), user, password)) {
            long present = single(c, "SELECT count(*) FROM participant WHERE participant_id LIKE '" + ID_PREFIX + "%'");
            storeUnknownScoreSums(c);
            if (present >= count) {
                return 0;
            }
            long version = single(c, "SELECT coalesce(min(version), 0) FROM rule WHERE code = 'VOL_SHIFT_HOUR'");
            if (version == 0) {
                throw new IllegalStateException(
                        "no rule table with VOL_SHIFT_HOUR: load the demo (scripts/up.sh) first");
            }
            // Each fixture's one event counts its rule's delta (one hour) until its window ends: the stored sum.
            long delta = single(c, "SELECT score_delta FROM rule WHERE version = " + version
                    + " AND code = 'VOL_SHIFT_HOUR'");
            c.setAutoCommit(false);
            try (PreparedStatement participants = c.prepareStatement("""
                    INSERT INTO participant (participant_id, keycloak_subject, enrolled_at, registered_at,
                                             score_version, score_sum, score_valid_until)
                    SELECT %s || lpad(to_hex(n), 12, '0'), 'load-subject-' || n, now() - interval '90 days',
                           now() - interval '90 days', 2, ?,
                           date_trunc('second', now()) - mod(n, 60) * interval '1 day' - interval '1 hour'
                             + interval '365 days'
                    FROM generate_series(1, ?) n
                    ON CONFLICT DO NOTHING""".formatted(PREFIX_LITERAL));
                    PreparedStatement events = c.prepareStatement("""
                    INSERT INTO score_event (event_id, report_id, participant_id, agency_id, rule_code,
                        rule_table_version, category, rule_title, quantity, counted_units, uncapped_delta, delta,
                        capped, award_points, occurred_at, applied_at, counts_until, cap_zone, evidence_ref, status)
                    SELECT md5('load-event-' || n)::uuid, 'load-report-' || n, %s || lpad(to_hex(n), 12, '0'),
                           'greenway-volunteers', r.code, r.version, r.category, r.title, 1, 1, r.score_delta,
                           r.score_delta, false, 0, g.occurred, now(), g.occurred + interval '365 days', 'UTC',
                           'https://evidence.invalid/load/' || n, 'COUNTING'
                    FROM (SELECT n, date_trunc('second', now()) - mod(n, 60) * interval '1 day'
                                    - interval '1 hour' AS occurred
                          FROM generate_series(1, ?) n) g
                    JOIN rule r ON r.version = ? AND r.code = 'VOL_SHIFT_HOUR'
                    ON CONFLICT DO NOTHING""".formatted(PREFIX_LITERAL))) {
                participants.setLong(1, delta);
                participants.setLong(2, count);
                participants.executeUpdate();
                events.setLong(1, count);
                events.setLong(2, version);
                events.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE participant");
                s.execute("ANALYZE score_event");
            }
            return count - present;
        }
    }

    /**
     * Gives fixtures written before scoring-service kept the score sum (null there: unknown, so every GetScore
     * miss summed the events) the sum of their one event and its window end, as scoring-service would store
     * them; set-based, and a no-op once done. A fixture whose event no longer counts keeps null (scoring-service
     * sums it on read and its expiry sweep stores it).
     */
    private static void storeUnknownScoreSums(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            int updated = s.executeUpdate("""
                    UPDATE participant p SET score_sum = e.delta, score_valid_until = e.counts_until
                    FROM score_event e
                    WHERE p.participant_id LIKE %s || '%%' AND p.score_sum IS NULL AND p.erased_at IS NULL
                      AND e.participant_id = p.participant_id AND e.status = 'COUNTING'
                      AND e.counts_until > now()""".formatted(PREFIX_LITERAL));
            if (updated > 0) {
                // Every updated row left a dead version behind, and this machine's PostgreSQL runs without
                // autovacuum: without this, every GetScore of the phase would step over them.
                s.execute("VACUUM (ANALYZE) participant");
            }
        }
    }

    /** A one-value query's result as a long. */
    static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** A one-value query on a fresh connection (read-only facts such as the server version). */
    public static String text(String jdbcUrl, String user, String password, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(Loopback.requireJdbc(jdbcUrl), user, password);
                Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }
}
