package org.civiccredit.kit.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The hash rule of an audit chain and its verification, free of any storage: each entry's hash is SHA-256 over
 * the previous entry's hash and the entry's fields, each field length-prefixed so no two different entries
 * encode alike. Changing, removing or inserting any entry breaks the link after it.
 */
public final class AuditChain {

    /** The {@code prevHash} of the first entry. */
    public static final byte[] GENESIS = new byte[32];

    private AuditChain() {
    }

    /** The hash of an entry with these fields following an entry whose hash is {@code prevHash}. */
    public static byte[] hash(byte[] prevHash, long seq, Instant recordedAt, String action, String actor,
            String refs) {
        MessageDigest sha = sha256();
        sha.update(prevHash);
        sha.update(ByteBuffer.allocate(Long.BYTES * 2).putLong(seq).putLong(micros(recordedAt)).array());
        for (String field : new String[] { action, actor, refs }) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
            sha.update(bytes);
        }
        return sha.digest();
    }

    /**
     * The hash of an entry's own fields, recorded when it is appended (before it has a place in the chain), so a
     * change made to an entry before it is sealed is caught too. Number 0 and the genesis hash stand for "not yet
     * chained": no chained entry has number 0.
     */
    public static byte[] entryHash(Instant recordedAt, String action, String actor, String refs) {
        return hash(GENESIS, 0, recordedAt, action, actor, refs);
    }

    /** Whether an entry's fields still match the hash recorded when it was appended (false when none was). */
    public static boolean matchesEntryHash(Instant recordedAt, String action, String actor, String refs,
            byte[] entryHash) {
        return entryHash != null && MessageDigest.isEqual(entryHash, entryHash(recordedAt, action, actor, refs));
    }

    /** Microseconds since the epoch: the precision PostgreSQL keeps, so a stored entry hashes as it did. */
    public static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L);
    }

    /**
     * Checks entries in chain order ({@link AuditEntry#position()}), one at a time, remembering only the last good
     * link; create one per verification run. A broken entry is named by its number ({@code seq}); a gap in the
     * chain by the first missing position.
     */
    public static final class Verifier {
        private long expectedPosition = 1;
        private byte[] lastHash = GENESIS;
        private AuditVerification broken;

        /** Checks the next entry; returns false once the chain is broken (later entries are not looked at). */
        public boolean accept(AuditEntry e) {
            if (broken != null) {
                return false;
            }
            if (e.position() != expectedPosition) {
                return fail(expectedPosition, e.position() > expectedPosition
                        ? "entries " + expectedPosition + ".." + (e.position() - 1) + " of the chain are missing"
                        : "entry " + e.seq() + " is out of order");
            }
            if (!MessageDigest.isEqual(e.prevHash(), lastHash)) {
                return fail(e.seq(), "its previous-hash does not match the hash of the entry before it");
            }
            byte[] recomputed = hash(e.prevHash(), e.seq(), e.recordedAt(), e.action(), e.actor(), e.refs());
            if (!MessageDigest.isEqual(e.hash(), recomputed)) {
                return fail(e.seq(), "its content does not match its hash (the entry was altered)");
            }
            lastHash = e.hash();
            expectedPosition++;
            return true;
        }

        /**
         * Checks an entry appended after the last sealed one and not yet sealed: its fields must still match the
         * hash recorded when it was appended. Returns false (and the chain counts as broken) when they do not.
         */
        public boolean acceptUnsealed(long seq, Instant recordedAt, String action, String actor, String refs,
                byte[] entryHash) {
            if (broken != null) {
                return false;
            }
            if (!matchesEntryHash(recordedAt, action, actor, refs, entryHash)) {
                return fail(seq, "its content does not match the hash recorded when it was appended (the entry was"
                        + " altered before it was sealed)");
            }
            return true;
        }

        /** The outcome after the last accepted entry. */
        public AuditVerification result() {
            return broken != null ? broken
                    : new AuditVerification(expectedPosition - 1, true, 0, "", HexFormat.of().formatHex(lastHash));
        }

        private boolean fail(long seq, String problem) {
            broken = new AuditVerification(expectedPosition - 1, false, seq, problem,
                    HexFormat.of().formatHex(lastHash));
            return false;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
