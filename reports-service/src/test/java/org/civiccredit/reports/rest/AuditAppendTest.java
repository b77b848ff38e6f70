package org.civiccredit.reports.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.kit.audit.AuditVerification;
import org.junit.jupiter.api.Test;

/**
 * How service-kit's audit log takes entries on a real database: an append holds no lock, so concurrent writing
 * transactions never queue for the log; entries are chained afterwards in number order whatever order their
 * transactions committed in; an entry altered before it was sealed is caught by its own hash.
 */
@QuarkusTest
class AuditAppendTest {

    /** service-kit's AuditSealer lock key: holding it keeps every sealer of this database from running. */
    private static final long SEAL_LOCK = 0x4175646974L;

    @Inject
    AuditLog audit;

    @Inject
    EntityManager em;

    @Inject
    AgroalDataSource db;

    private static String marker() {
        return "report_id=" + UUID.randomUUID();
    }

    private long seqOf(String refs) {
        return ((Number) em.createNativeQuery("SELECT seq FROM audit_log WHERE refs = ?1").setParameter(1, refs)
                .getSingleResult()).longValue();
    }

    private long advisoryLocksOf(int pid) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = "
                        + pid)) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void anAppendHoldsNoLockAndAnotherTransactionAppendsAndCommitsMeanwhile() throws Exception {
        String first = marker();
        String second = marker();
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int[] pid = new int[1];
        CompletableFuture<Void> open = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
            audit.record("test:append", "system", first);
            pid[0] = ((Number) em.createNativeQuery("SELECT pg_backend_pid()").getSingleResult()).intValue();
            appended.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            assertThat(appended.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(advisoryLocksOf(pid[0])).as("advisory locks held by a transaction that appended").isZero();
            // Would wait for the open transaction if appends were serialised by a lock held to the commit.
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew()
                    .run(() -> audit.record("test:append", "system", second)));
            other.get(30, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            open.get(60, TimeUnit.SECONDS);
        }

        // The later number committed first; sealing chains both, and the chain verifies.
        assertThat(seqOf(first)).isLessThan(seqOf(second));
        AuditVerification verification = audit.verify();
        assertThat(verification.intact()).as(verification.problem()).isTrue();
        assertThat((Number) em.createNativeQuery("SELECT count(*) FROM audit_log WHERE hash IS NULL AND seq <= ?1")
                .setParameter(1, seqOf(second)).getSingleResult()).as("entries left unsealed").isEqualTo(0L);
    }

    @Test
    void anEntryAlteredBeforeItWasSealedIsTheFirstBrokenLinkAndIsNeverSealed() throws Exception {
        assertThat(audit.verify().intact()).isTrue();
        String refs = marker();
        try (Connection sealing = db.getConnection(); Statement hold = sealing.createStatement()) {
            // Keep every sealer away while the entry is appended and altered.
            hold.execute("SELECT pg_advisory_lock(" + SEAL_LOCK + ")");
            try {
                QuarkusTransaction.requiringNew().run(() -> audit.record("test:append", "system", refs));
                long seq = seqOf(refs);
                QuarkusTransaction.requiringNew().run(() -> {
                    em.createNativeQuery("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change").executeUpdate();
                    em.createNativeQuery("UPDATE audit_log SET actor = 'agency:someone-else' WHERE seq = ?1")
                            .setParameter(1, seq).executeUpdate();
                    em.createNativeQuery("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change").executeUpdate();
                });
                hold.execute("SELECT pg_advisory_unlock(" + SEAL_LOCK + ")");

                AuditVerification broken = audit.verify();
                assertThat(broken.intact()).isFalse();
                assertThat(broken.firstBrokenSeq()).isEqualTo(seq);
                assertThat(broken.problem()).contains("altered before it was sealed");
                assertThat((Number) em.createNativeQuery("SELECT count(*) FROM audit_log WHERE seq = ?1 AND hash IS NULL")
                        .setParameter(1, seq).getSingleResult()).as("the altered entry stays unsealed").isEqualTo(1L);

                QuarkusTransaction.requiringNew().run(() -> {
                    em.createNativeQuery("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change").executeUpdate();
                    em.createNativeQuery("UPDATE audit_log SET actor = 'system' WHERE seq = ?1")
                            .setParameter(1, seq).executeUpdate();
                    em.createNativeQuery("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change").executeUpdate();
                });
                assertThat(audit.verify().intact()).as("restored, the entry is sealed and the chain verifies").isTrue();
            } finally {
                hold.execute("SELECT pg_advisory_unlock_all()");
            }
        }
    }

    @Test
    void sealingIsTheOnlyUpdateTheTableAccepts() {
        String refs = marker();
        QuarkusTransaction.requiringNew().run(() -> audit.record("test:append", "system", refs));
        long seq = seqOf(refs);
        for (String sql : new String[] {
                "UPDATE audit_log SET refs = 'report_id=other' WHERE seq = " + seq,
                "UPDATE audit_log SET chain_pos = 999999999, prev_hash = '\\x00', hash = '\\x00', actor = 'x' WHERE seq = "
                        + seq }) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> QuarkusTransaction.requiringNew()
                    .run(() -> em.createNativeQuery(sql).executeUpdate())).as(sql)
                    .hasStackTraceContaining("audit_log is append-only");
        }
        assertThat(audit.verify().intact()).isTrue();
    }

    /**
     * Entries appended together (a relay call marking a batch of reports scored) keep the order given, each with its
     * own entry hash, and the chain verifies; a rolled-back transaction leaves none of them.
     */
    @Test
    void entriesAppendedTogetherKeepTheirOrderAndVerify() {
        List<String> refs = List.of(marker(), marker(), marker());
        QuarkusTransaction.requiringNew().run(() -> audit.recordAll(refs.stream()
                .map(r -> new AuditLog.Entry("test:together", "system", r)).toList()));
        List<Long> seqs = refs.stream().map(this::seqOf).toList();
        assertThat(seqs).as("in the order given").isSorted().doesNotHaveDuplicates();
        QuarkusTransaction.requiringNew().run(() -> audit.recordAll(List.of(new AuditLog.Entry("test:together",
                "system", marker()))));
        QuarkusTransaction.requiringNew().run(() -> audit.recordAll(List.of()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            audit.recordAll(List.of(new AuditLog.Entry("test:rolled-back", "system", refs.get(0) + ",again"),
                    new AuditLog.Entry("test:rolled-back", "system", refs.get(1) + ",again")));
            throw new IllegalStateException("rolled back");
        })).hasMessageContaining("rolled back");
        assertThat(em.createNativeQuery("SELECT count(*) FROM audit_log WHERE refs IN (?1, ?2)")
                .setParameter(1, refs.get(0) + ",again").setParameter(2, refs.get(1) + ",again").getSingleResult())
                .as("nothing of a rolled-back one").isEqualTo(0L);
        assertThat(audit.verify().intact()).isTrue();
    }
}
