package org.civiccredit.kit.persistence;

import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import org.hibernate.query.NativeQuery;

/**
 * Native statements that touch only tables no entity maps (the outbox, the audit log, idempotency keys, ledger
 * postings, cap counters). Hibernate flushes the whole session before a native statement whose tables it does not
 * know, so an entity changed before such a statement and again after it is written twice in one transaction
 * (scoring-service's participant row was updated twice per applied report, before and after its outbox row).
 * Naming the tables lets Hibernate skip that flush: pending entity changes are then written once, at the next
 * statement that reads or writes their tables, or at commit.
 *
 * <p>Use it only for statements whose tables no entity maps and that do not read entity tables, and whose tables
 * have no foreign key to an entity table (an entity row not flushed yet would not be there).
 */
public final class NativeWrites {

    private NativeWrites() {
    }

    /** A native statement on {@code tables} only (each mapped by no entity). */
    public static Query on(EntityManager em, String sql, String... tables) {
        if (tables.length == 0) {
            throw new IllegalArgumentException("name the tables the statement touches");
        }
        NativeQuery<?> query = em.createNativeQuery(sql).unwrap(NativeQuery.class);
        for (String table : tables) {
            query.addSynchronizedQuerySpace(table);
        }
        return query;
    }
}
