package org.civiccredit.kit.persistence;

import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import org.hibernate.LockMode;
import org.hibernate.query.NativeQuery;

/**
 * Reads of many rows by their keys, as one statement whose plan is made once.
 *
 * <p>Hibernate makes no reusable plan for an HQL query with a collection parameter ({@code WHERE p.id IN :ids}): it
 * translates such a query to SQL again on every execution, and the SQL differs with the number of ids, so
 * PostgreSQL plans each length afresh too. On the batched paths that was the largest single cost of a call: half of
 * rewards-service's lookups of a batch's participants and lots was that translation. A native statement with one
 * array parameter ({@code WHERE participant_id = ANY(?1)}) is the same text whatever the number of keys: Hibernate
 * keeps its plan and the JDBC driver its prepared statement, and the primary key's index serves it as it serves
 * {@code IN}.
 */
public final class NativeReads {

    private NativeReads() {
    }

    /**
     * A native query whose rows are entities of {@code type}, managed by the session as an HQL query's would be. The
     * statement selects {@code alias.*} from the entity's table under {@code alias}. {@code lock} is the lock the
     * statement itself takes ({@code FOR NO KEY UPDATE} is {@link LockMode#PESSIMISTIC_WRITE} on PostgreSQL, as
     * Hibernate writes it): the session records it, so a later {@code find} of the same entity with that lock makes
     * no statement. Pending changes to the entity's table are flushed first, and no others.
     */
    @SuppressWarnings("unchecked")
    public static <E> NativeQuery<E> entities(EntityManager em, Class<E> type, String alias, LockMode lock,
            String sql) {
        NativeQuery<E> query = em.createNativeQuery(sql).unwrap(NativeQuery.class);
        query.addEntity(alias, type, lock);
        query.addSynchronizedEntityClass(type);
        return query;
    }

    /** A {@code timestamptz} value of a native query's row, whichever Java type the driver and Hibernate gave it. */
    public static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalArgumentException("not a timestamp: " + value.getClass().getName());
    }
}
