package org.civiccredit.kit.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The warnings the connection pool (Agroal) logs while a test runs, on any thread, as formatted messages. Agroal
 * warns "Closing open connection(s) prior to commit" when a transaction commits while code still holds one of its
 * connections: a statement run after Hibernate released the session's connection for the commit (from a
 * before-completion callback, say). The work is committed, but the connection is taken back by force, so a test
 * asserts there is none.
 */
public final class PoolWarnings implements AutoCloseable {

    private static final Logger POOL = Logger.getLogger("io.agroal.pool");
    private static final SimpleFormatter MESSAGES = new SimpleFormatter();

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                seen.add(MESSAGES.formatMessage(record));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private PoolWarnings() {
        POOL.addHandler(handler);
    }

    /** Starts collecting the pool's warnings until {@link #close()}. */
    public static PoolWarnings watch() {
        return new PoolWarnings();
    }

    /** The warnings logged so far. */
    public List<String> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        POOL.removeHandler(handler);
    }
}
