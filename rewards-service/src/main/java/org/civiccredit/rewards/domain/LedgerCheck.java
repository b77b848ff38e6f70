package org.civiccredit.rewards.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Result of verifying the whole ledger: totals per account kind and the first discrepancy found, if any. */
public record LedgerCheck(List<KindTotal> totals, Optional<Discrepancy> firstDiscrepancy, long entriesChecked,
        Instant verifiedAt) {

    /** Debits and credits of one account kind over the whole ledger. */
    public record KindTotal(AccountKind kind, long debits, long credits) {
        public long balance() {
            return credits - debits;
        }
    }

    /** What kind of invariant was broken. */
    public enum DiscrepancyKind {
        UNBALANCED_MOVEMENT, NEGATIVE_BALANCE, LOT_MISMATCH
    }

    /** The first broken invariant found; ids are empty where they do not apply. */
    public record Discrepancy(DiscrepancyKind kind, String movementId, AccountKind accountKind, String ownerId,
            String description) {
    }

    /** True when every invariant holds: the entries sum to zero overall and no discrepancy was found. */
    public boolean balanced() {
        return firstDiscrepancy.isEmpty() && totals.stream().mapToLong(KindTotal::balance).sum() == 0;
    }
}
