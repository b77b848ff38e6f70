package org.civiccredit.kit.audit;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.quarkus.arc.Arc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.persistence.BatchScope;
import org.civiccredit.kit.persistence.NativeReads;
import org.civiccredit.kit.persistence.NativeWrites;

/**
 * The service's append-only, hash-chained audit log: every state change is appended in the transaction that
 * makes it, so a change and its entry commit or roll back together. Mutating RPCs are recorded by
 * {@link org.civiccredit.kit.idempotency.IdempotentCalls}; scheduled jobs record their own changes with
 * {@link #record(String, String, String)}.
 *
 * <p>An append takes no lock: the entry gets a number from a sequence and the hash of its own fields, and commits
 * with its transaction. {@link AuditSealer} then chains the committed entries in the background (every
 * {@code audit.seal-every}, and before every verification): each gets the next place in the chain and a hash over
 * the previous entry's hash and its fields. Writing transactions therefore never queue behind each other for the
 * log, and their commits can share the disk's flushes. The price is a short window (until the next sealing pass)
 * in which an entry is protected by its own hash and the append-only trigger, but not yet by the chain. The table
 * is {@code audit_log} (migration {@code db/kit/R__kit_audit_log.sql}, which each service adds to its Flyway
 * locations).
 */
@ApplicationScoped
public class AuditLog {

    private static final int PAGE = 1000;

    /** Appends one entry; its parameters are bound by {@link #bindEntry}. */
    private static final String INSERT_ENTRY = """
            INSERT INTO audit_log (seq, recorded_at, action, actor, refs, entry_hash)
            VALUES (nextval('audit_log_seq'), :audit_at, :audit_action, :audit_actor, :audit_refs, :audit_hash)""";

    /**
     * The fields whose values name records in an entry: ids of reports, contests, organisations, offers and
     * ledger records. An allow-list, so a new field (a participant id, say) never lands in the log by accident.
     */
    static final Set<String> RECORD_REFS = Set.of("report_id", "contest_id", "event_id", "agency_id",
            "merchant_id", "keycloak_client_id", "offer_id", "redemption_id", "lot_id", "movement_id");

    @Inject
    EntityManager em;

    @Inject
    Caller caller;

    @Inject
    AuditSealer sealer;

    @Inject
    BatchScope batch;

    /**
     * Records a mutating call made by the current caller, naming the records it touched: the non-empty
     * top-level fields of the request and the response named in {@link #RECORD_REFS}.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void recordCall(String call, Message request, Message response) {
        append(callEntry(call, request, response));
    }

    /**
     * Records a mutating call by the current caller, as {@link #recordCall} does, in the same statement as
     * {@code write}: another data-modifying statement of the caller's transaction, on {@code tables} only (none mapped
     * by an entity, as for {@link NativeWrites}), whose parameters are named and none of them {@code audit_…}. One round
     * trip for both. Returns the statement with the entry's parameters bound; the caller binds its own and executes it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Query recordCallWith(String call, Message request, Message response, String write, String... tables) {
        String[] spaces = Arrays.copyOf(tables, tables.length + 1);
        spaces[tables.length] = "audit_log";
        return bindEntry(NativeWrites.on(em, "WITH audit_entry AS (" + INSERT_ENTRY + ")\n" + write, spaces),
                callEntry(call, request, response));
    }

    /** The entry of a call by the current caller: the records named in its request and response. */
    private Entry callEntry(String call, Message request, Message response) {
        return callEntry(call, currentActor(), request, response);
    }

    /**
     * The entry of a call by {@code actor} (as {@link #currentActor} named the caller on the call's own thread): the
     * records named in its request and response. For calls committed together on another call's thread
     * ({@link org.civiccredit.kit.persistence.GroupCommit}).
     */
    public static Entry callEntry(String call, String actor, Message request, Message response) {
        Set<String> refs = new LinkedHashSet<>();
        collectRefs(request, refs);
        collectRefs(response, refs);
        return new Entry(call, actor, String.join(",", refs));
    }

    /** Appends one entry in the current transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String action, String actor, String refs) {
        append(new Entry(action, actor, refs));
    }

    /** One entry to append: what was done, by whom, to which records. */
    public record Entry(String action, String actor, String refs) {
    }

    /**
     * Appends entries in the current transaction, in one statement and in the order given (a relay call marking
     * a batch of reports scored, a catch-up's changes to a wallet).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void recordAll(List<Entry> entries) {
        if (!entries.isEmpty()) {
            append(entries);
        }
    }

    private void appendAll(List<Entry> entries) {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        int n = entries.size();
        String[] actions = new String[n];
        String[] actors = new String[n];
        String[] refs = new String[n];
        String[] hashes = new String[n];
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            actions[i] = e.action();
            actors[i] = e.actor();
            refs[i] = e.refs();
            hashes[i] = HexFormat.of().formatHex(AuditChain.entryHash(at, e.action(), e.actor(), e.refs()));
        }
        // Sequence numbers are drawn in the order the entries were recorded (ordinality).
        NativeWrites.on(em, """
                INSERT INTO audit_log (seq, recorded_at, action, actor, refs, entry_hash)
                SELECT nextval('audit_log_seq'), ?1, e.action, e.actor, e.refs, decode(e.hash, 'hex')
                FROM unnest(cast(?2 AS text[]), cast(?3 AS text[]), cast(?4 AS text[]), cast(?5 AS text[]))
                     WITH ORDINALITY AS e(action, actor, refs, hash, n)
                ORDER BY e.n""", "audit_log")
                .setParameter(1, Timestamp.from(at)).setParameter(2, actions).setParameter(3, actors)
                .setParameter(4, refs).setParameter(5, hashes).executeUpdate();
    }

    private void append(Entry entry) {
        append(List.of(entry));
    }

    /** Appends entries now, or, in a batched call's transaction, with the batch's other entries at its end. */
    private void append(List<Entry> entries) {
        List<Entry> pending = batch.deferred(AuditLog.class, ArrayList::new, this::insert);
        if (pending != null) {
            pending.addAll(entries);
        } else {
            insert(entries);
        }
    }

    /** Inserts entries: one alone by {@link #INSERT_ENTRY}, several in one statement. */
    private void insert(List<Entry> entries) {
        if (entries.size() == 1) {
            bindEntry(NativeWrites.on(em, INSERT_ENTRY, "audit_log"), entries.get(0)).executeUpdate();
        } else {
            appendAll(entries);
        }
    }

    /** Binds {@link #INSERT_ENTRY}'s parameters: the entry, stamped now, and its hash. */
    private static Query bindEntry(Query query, Entry entry) {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return query.setParameter("audit_at", Timestamp.from(at)).setParameter("audit_action", entry.action())
                .setParameter("audit_actor", entry.actor()).setParameter("audit_refs", entry.refs())
                .setParameter("audit_hash", AuditChain.entryHash(at, entry.action(), entry.actor(), entry.refs()));
    }

    /**
     * Seals what has committed so far, then walks the whole chain from the first entry and reports the first broken
     * link, if any; entries not sealed yet (committed during the walk, or held back because they were altered) are
     * checked against the hash recorded when they were appended.
     */
    public AuditVerification verify() {
        sealer.sealAll();
        return walk();
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    AuditVerification walk() {
        AuditChain.Verifier verifier = new AuditChain.Verifier();
        long after = 0;
        while (true) {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    SELECT seq, recorded_at, action, actor, refs, prev_hash, hash, chain_pos FROM audit_log
                    WHERE chain_pos > ?1 ORDER BY chain_pos LIMIT ?2""")
                    .setParameter(1, after).setParameter(2, PAGE).getResultList();
            for (Object[] r : rows) {
                AuditEntry e = new AuditEntry(((Number) r[0]).longValue(), NativeReads.instant(r[1]), (String) r[2],
                        (String) r[3], (String) r[4], (byte[]) r[5], (byte[]) r[6], ((Number) r[7]).longValue());
                if (!verifier.accept(e)) {
                    return verifier.result();
                }
                after = e.position();
            }
            if (rows.size() < PAGE) {
                break;
            }
        }
        long afterSeq = 0;
        while (true) {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    SELECT seq, recorded_at, action, actor, refs, entry_hash FROM audit_log
                    WHERE hash IS NULL AND seq > ?1 ORDER BY seq LIMIT ?2""")
                    .setParameter(1, afterSeq).setParameter(2, PAGE).getResultList();
            for (Object[] r : rows) {
                afterSeq = ((Number) r[0]).longValue();
                if (!verifier.acceptUnsealed(afterSeq, NativeReads.instant(r[1]), (String) r[2], (String) r[3],
                        (String) r[4], (byte[]) r[5])) {
                    return verifier.result();
                }
            }
            if (rows.size() < PAGE) {
                return verifier.result();
            }
        }
    }

    /**
     * Who is acting, without personal data of participants: organisations by their id, staff (reviewers,
     * admins) by their subject so decisions stay attributable, services by client id, participants only by role;
     * {@code system} outside a request (scheduled jobs).
     */
    public String currentActor() {
        if (!Arc.container().requestContext().isActive() || caller.subject() == null) {
            return "system";
        }
        if (caller.hasRole("service")) {
            return "service:" + caller.clientId().orElse(caller.subject());
        }
        if (caller.agencyId().isPresent()) {
            return "agency:" + caller.agencyId().get();
        }
        if (caller.merchantId().isPresent()) {
            return "merchant:" + caller.merchantId().get();
        }
        for (String staff : new String[] { "admin", "reviewer" }) {
            if (caller.hasRole(staff)) {
                return staff + ":" + caller.subject();
            }
        }
        return caller.hasRole("participant") ? "participant" : "unknown";
    }

    private static void collectRefs(Message message, Set<String> refs) {
        if (message == null) {
            return;
        }
        for (FieldDescriptor f : message.getDescriptorForType().getFields()) {
            String name = f.getName();
            if (f.isRepeated() || f.getJavaType() != FieldDescriptor.JavaType.STRING
                    || !RECORD_REFS.contains(name)) {
                continue;
            }
            String value = (String) message.getField(f);
            if (!value.isEmpty()) {
                refs.add(name + "=" + value);
            }
        }
    }
}
