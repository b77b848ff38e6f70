package org.civiccredit.kit.audit;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.civiccredit.kit.persistence.NativeReads;
import org.civiccredit.kit.schedule.Ticks;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * Chains the audit entries that writing transactions appended (see {@link AuditLog}): in order of their numbers,
 * each committed, unsealed entry gets the next place in the chain and its hash over the previous entry's hash and
 * its own fields. One instance seals at a time (a transaction-scoped advisory lock; the others skip the pass).
 * An entry whose fields no longer match the hash recorded at its append is not sealed, nor is anything after it:
 * the chain stops growing and verification names that entry.
 */
@ApplicationScoped
public class AuditSealer {

    private static final Logger LOG = Logger.getLogger(AuditSealer.class);

    /** Advisory lock key of sealing (any constant distinct from the service's other advisory locks). */
    static final long SEAL_LOCK = 0x4175646974L;

    /** Entries sealed per transaction. */
    static final int BATCH = 1000;

    @Inject
    EntityManager em;

    @Inject
    Ticks ticks;

    /** How often a sealing pass runs ({@code off} for never). */
    @ConfigProperty(name = "audit.seal-every", defaultValue = "0.5s")
    String every;

    /**
     * Passes every {@code audit.seal-every}: by {@link Ticks}, since Quarkus' scheduler runs nothing more than
     * once a second.
     */
    void start(@Observes StartupEvent started) {
        ticks.every(every, Duration.ofSeconds(1), "audit sealing pass", this::scheduledPass);
    }

    void scheduledPass() {
        try {
            sealAll();
        } catch (RuntimeException e) {
            LOG.warnf(e, "audit sealing pass failed; the next pass retries");
        }
    }

    /** Seals batches until none is left (or another instance is sealing); returns how many entries it sealed. */
    public int sealAll() {
        int total = 0;
        while (true) {
            int sealed = sealBatch();
            total += sealed;
            if (sealed < BATCH) {
                return total;
            }
        }
    }

    /** Seals up to {@link #BATCH} committed entries, oldest number first; returns how many. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    int sealBatch() {
        boolean mine = (Boolean) em.createNativeQuery("SELECT pg_try_advisory_xact_lock(?1)")
                .setParameter(1, SEAL_LOCK).getSingleResult();
        if (!mine) {
            return 0;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> last = em.createNativeQuery(
                "SELECT chain_pos, hash FROM audit_log WHERE chain_pos IS NOT NULL ORDER BY chain_pos DESC LIMIT 1")
                .getResultList();
        long position = last.isEmpty() ? 0 : ((Number) last.get(0)[0]).longValue();
        byte[] prevHash = last.isEmpty() ? AuditChain.GENESIS : (byte[]) last.get(0)[1];
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT seq, recorded_at, action, actor, refs, entry_hash FROM audit_log
                WHERE hash IS NULL ORDER BY seq LIMIT ?1""").setParameter(1, BATCH).getResultList();
        List<Object[]> seals = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            long seq = ((Number) r[0]).longValue();
            Instant at = NativeReads.instant(r[1]);
            String action = (String) r[2];
            String actor = (String) r[3];
            String refs = (String) r[4];
            byte[] entryHash = (byte[]) r[5];
            if (!AuditChain.matchesEntryHash(at, action, actor, refs, entryHash)) {
                LOG.errorf("audit entry %d does not match the hash recorded when it was appended: it was altered; "
                        + "sealing stops here until it is restored", seq);
                break;
            }
            byte[] hash = AuditChain.hash(prevHash, seq, at, action, actor, refs);
            seals.add(new Object[] { ++position, prevHash, hash, seq });
            prevHash = hash;
        }
        if (!seals.isEmpty()) {
            // One statement for the batch: an UPDATE per entry cost PostgreSQL an executor start each.
            int n = seals.size();
            Long[] positions = new Long[n];
            Long[] seqs = new Long[n];
            byte[][] prevHashes = new byte[n][];
            byte[][] hashes = new byte[n][];
            for (int i = 0; i < n; i++) {
                Object[] seal = seals.get(i);
                positions[i] = (Long) seal[0];
                prevHashes[i] = (byte[]) seal[1];
                hashes[i] = (byte[]) seal[2];
                seqs[i] = (Long) seal[3];
            }
            em.unwrap(Session.class).doWork(connection -> {
                try (var update = connection.prepareStatement("""
                        UPDATE audit_log a SET chain_pos = s.pos, prev_hash = s.prev, hash = s.hash
                        FROM unnest(?::bigint[], ?::bytea[], ?::bytea[], ?::bigint[]) AS s(pos, prev, hash, seq)
                        WHERE a.seq = s.seq""")) {
                    update.setArray(1, connection.createArrayOf("bigint", positions));
                    update.setArray(2, connection.createArrayOf("bytea", prevHashes));
                    update.setArray(3, connection.createArrayOf("bytea", hashes));
                    update.setArray(4, connection.createArrayOf("bigint", seqs));
                    int updated = update.executeUpdate();
                    if (updated != n) {
                        throw new IllegalStateException("sealed " + updated + " audit entries of " + n);
                    }
                }
            });
        }
        return seals.size();
    }
}
