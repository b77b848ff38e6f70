package org.civiccredit.kit.audit;

import java.time.Instant;

/**
 * One link of a service's audit chain: a state change, who made it, what it touched, and the hashes that tie it
 * to the link before. Entries hold no personal data of participants — only the action, the actor's role and
 * organisation (or staff subject) and the ids of the records changed — so erasure never has to touch them.
 *
 * @param seq the entry's number, given when it was appended (increasing; a rolled-back append leaves a gap)
 * @param recordedAt when it was appended (microsecond precision, as stored)
 * @param action what happened, e.g. {@code SubmitReport} or {@code sweep:expire-holds}
 * @param actor who did it, e.g. {@code agency:greenway-volunteers}, {@code participant}, {@code system}
 * @param refs the records it touched, e.g. {@code report_id=...}; empty when none
 * @param prevHash the hash of the entry at {@code position - 1} (32 zero bytes for the first)
 * @param hash this entry's hash over all of the above
 * @param position its place in the chain, 1 for the first entry, without gaps (given when it was sealed; equal to
 *                 {@code seq} for entries chained when they were appended)
 */
public record AuditEntry(long seq, Instant recordedAt, String action, String actor, String refs, byte[] prevHash,
        byte[] hash, long position) {

    /** An entry whose place in the chain is its number. */
    public AuditEntry(long seq, Instant recordedAt, String action, String actor, String refs, byte[] prevHash,
            byte[] hash) {
        this(seq, recordedAt, action, actor, refs, prevHash, hash, seq);
    }
}
