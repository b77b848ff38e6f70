package org.civiccredit.kit.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/** For tests that make one transaction wait for another's row lock and must know that it is waiting. */
public final class LockWaits {

    private LockWaits() {
    }

    /**
     * Waits (at most 30 s) until {@code sessions} sessions of {@code db}'s database wait for a lock while running a
     * statement that mentions one of {@code mentions} (any statement when none is given).
     *
     * @throws AssertionError when they never do; its message ends with {@code what}
     */
    public static void await(DataSource db, int sessions, String what, String... mentions) throws Exception {
        StringBuilder sql = new StringBuilder("SELECT count(*) FROM pg_stat_activity "
                + "WHERE datname = current_database() AND wait_event_type = 'Lock'");
        for (int i = 0; i < mentions.length; i++) {
            sql.append(i == 0 ? " AND (" : " OR ").append("query ILIKE ?");
        }
        if (mentions.length > 0) {
            sql.append(')');
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < mentions.length; i++) {
                s.setString(i + 1, "%" + mentions[i] + "%");
            }
            while (System.nanoTime() < deadline) {
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getLong(1) >= sessions) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError(what);
    }
}
