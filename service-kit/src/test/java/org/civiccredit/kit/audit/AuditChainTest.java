package org.civiccredit.kit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    private static final Instant T0 = Instant.parse("2026-11-28T08:00:00.123456Z");

    private static List<AuditEntry> chain(int n) {
        List<AuditEntry> entries = new ArrayList<>();
        byte[] prev = AuditChain.GENESIS;
        for (int i = 1; i <= n; i++) {
            Instant at = T0.plusSeconds(i);
            byte[] hash = AuditChain.hash(prev, i, at, "SubmitReport", "agency:greenway", "report_id=r" + i);
            entries.add(new AuditEntry(i, at, "SubmitReport", "agency:greenway", "report_id=r" + i, prev, hash));
            prev = hash;
        }
        return entries;
    }

    private static AuditVerification verify(List<AuditEntry> entries) {
        AuditChain.Verifier v = new AuditChain.Verifier();
        for (AuditEntry e : entries) {
            if (!v.accept(e)) {
                break;
            }
        }
        return v.result();
    }

    @Test
    void anUntouchedChainVerifiesToTheLastEntry() {
        AuditVerification result = verify(chain(50));
        assertThat(result.intact()).isTrue();
        assertThat(result.entriesVerified()).isEqualTo(50);
        assertThat(result.firstBrokenSeq()).isZero();
        assertThat(result.lastGoodHash()).hasSize(64);
    }

    @Test
    void anAlteredFieldIsReportedAtItsEntry() {
        for (int field = 0; field < 4; field++) {
            List<AuditEntry> entries = chain(10);
            AuditEntry e = entries.get(6);
            AuditEntry altered = switch (field) {
                case 0 -> new AuditEntry(7, e.recordedAt(), "WithdrawReport", e.actor(), e.refs(), e.prevHash(),
                        e.hash());
                case 1 -> new AuditEntry(7, e.recordedAt(), e.action(), "agency:other", e.refs(), e.prevHash(),
                        e.hash());
                case 2 -> new AuditEntry(7, e.recordedAt(), e.action(), e.actor(), "report_id=x", e.prevHash(),
                        e.hash());
                default -> new AuditEntry(7, e.recordedAt().plusNanos(1000), e.action(), e.actor(), e.refs(),
                        e.prevHash(), e.hash());
            };
            entries.set(6, altered);
            AuditVerification result = verify(entries);
            assertThat(result.intact()).as("field %d", field).isFalse();
            assertThat(result.firstBrokenSeq()).isEqualTo(7);
            assertThat(result.entriesVerified()).isEqualTo(6);
            assertThat(result.problem()).contains("altered");
        }
    }

    @Test
    void aRehashedEntryStillBreaksTheLinkAfterIt() {
        List<AuditEntry> entries = chain(10);
        AuditEntry e = entries.get(3);
        byte[] forged = AuditChain.hash(e.prevHash(), 4, e.recordedAt(), e.action(), e.actor(), "report_id=forged");
        entries.set(3, new AuditEntry(4, e.recordedAt(), e.action(), e.actor(), "report_id=forged", e.prevHash(),
                forged));
        AuditVerification result = verify(entries);
        assertThat(result.firstBrokenSeq()).isEqualTo(5);
        assertThat(result.problem()).contains("previous-hash");
    }

    @Test
    void aRemovedEntryIsReportedAsMissing() {
        List<AuditEntry> entries = chain(10);
        entries.remove(4);
        AuditVerification result = verify(entries);
        assertThat(result.intact()).isFalse();
        assertThat(result.firstBrokenSeq()).isEqualTo(5);
        assertThat(result.problem()).contains("missing");
    }

    @Test
    void entriesAreCheckedInChainOrderWhateverTheirNumbers() {
        // Numbers given at append time may have gaps and commit out of order; the chain positions may not.
        long[] seqs = { 3, 9, 4, 12 };
        List<AuditEntry> entries = new ArrayList<>();
        byte[] prev = AuditChain.GENESIS;
        for (int i = 0; i < seqs.length; i++) {
            byte[] hash = AuditChain.hash(prev, seqs[i], T0, "SubmitReport", "agency:greenway", "");
            entries.add(new AuditEntry(seqs[i], T0, "SubmitReport", "agency:greenway", "", prev, hash, i + 1));
            prev = hash;
        }
        assertThat(verify(entries).intact()).isTrue();
        assertThat(verify(entries).entriesVerified()).isEqualTo(4);

        entries.remove(1);
        AuditVerification gap = verify(entries);
        assertThat(gap.intact()).isFalse();
        assertThat(gap.firstBrokenSeq()).as("the first missing position").isEqualTo(2);
        assertThat(gap.problem()).contains("missing");
    }

    @Test
    void anUnsealedEntryMustStillMatchTheHashOfItsAppend() {
        byte[] recorded = AuditChain.entryHash(T0, "SubmitReport", "agency:greenway", "report_id=r1");
        AuditChain.Verifier untouched = new AuditChain.Verifier();
        assertThat(untouched.acceptUnsealed(41, T0, "SubmitReport", "agency:greenway", "report_id=r1", recorded))
                .isTrue();
        assertThat(untouched.result().intact()).isTrue();

        AuditChain.Verifier altered = new AuditChain.Verifier();
        assertThat(altered.acceptUnsealed(41, T0, "SubmitReport", "agency:other", "report_id=r1", recorded)).isFalse();
        assertThat(altered.result().firstBrokenSeq()).isEqualTo(41);
        assertThat(altered.result().problem()).contains("altered before it was sealed");
    }

    @Test
    void fieldBoundariesCannotBeShiftedBetweenFields() {
        byte[] a = AuditChain.hash(AuditChain.GENESIS, 1, T0, "ab", "c", "");
        byte[] b = AuditChain.hash(AuditChain.GENESIS, 1, T0, "a", "bc", "");
        assertThat(a).isNotEqualTo(b);
    }
}
