package org.civiccredit.kit.audit;

/**
 * Outcome of verifying an audit chain.
 *
 * @param entriesVerified how many entries, from the first, form an intact chain
 * @param intact true when every entry verified
 * @param firstBrokenSeq the first entry that does not verify (0 when intact)
 * @param problem what is wrong with it (empty when intact)
 * @param lastGoodHash hex hash of the last verified entry: record it elsewhere to detect later truncation
 */
public record AuditVerification(long entriesVerified, boolean intact, long firstBrokenSeq, String problem,
        String lastGoodHash) {
}
