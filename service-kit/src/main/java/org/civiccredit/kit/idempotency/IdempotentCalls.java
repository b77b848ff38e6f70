package org.civiccredit.kit.idempotency;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.persistence.NativeWrites;

/**
 * Makes a mutating call idempotent by its client-supplied key, in one transaction with the call's own change
 * (the caller's, or one begun and committed here — so a gRPC adapter replies only after the commit): the first call
 * with a key runs and its response is stored with a hash of the request; a replay with the same request gets
 * the stored response; the same key with a different request is refused with ALREADY_EXISTS. Because the key
 * row is written in the same transaction as the change, a refused or failed call leaves no key behind.
 * Each service's schema has the {@code idempotency_key} table (see its first migration).
 *
 * <p>Every call that runs (not a replay) is appended to the service's {@link AuditLog} in the same transaction,
 * so no mutating RPC changes state without an audit entry.
 *
 * <p>The participant a call concerns ({@code participant_ref}, indexed, for erasure) is written with the key when
 * the request names them, so that storing the response changes no indexed column: PostgreSQL can then make that
 * update in place (a HOT update: no new index entries) whenever the row's page has room for the new version, where
 * writing the participant then made every such update add an entry to both of the table's indexes. Only a call whose
 * participant first appears in its response has it written then.
 */
@ApplicationScoped
public class IdempotentCalls {

    /** Longest key accepted. */
    public static final int MAX_KEY_LENGTH = 128;

    /** What a missing, blank or oversized key is refused with. */
    private static final String KEY_REQUIRED = "required: a client-chosen key, 1 to " + MAX_KEY_LENGTH
            + " characters, the same on every retry of this call";

    @Inject
    EntityManager em;

    @Inject
    Caller caller;

    @Inject
    AuditLog audit;

    /**
     * Runs {@code action} once per calling identity, call name and key; see
     * {@link #once(String, String, Message, Parser, Supplier)}.
     *
     * @param call the RPC's name, e.g. {@code "RegisterAgency"}
     */
    @Transactional(Transactional.TxType.REQUIRED)
    public <T extends Message> T onceForCaller(String call, String key, Message request, Parser<T> parser,
            Supplier<T> action) {
        return once(caller.idempotencyScope(call), key, request, parser, action, call);
    }

    /**
     * Runs {@code action} once per {@code (scope, key)}.
     *
     * @param scope who is calling what, e.g. {@code "admin:RegisterAgency"}; keys of different scopes never meet
     * @param key the request's {@code idempotency_key}
     * @param request the whole request (its hash decides whether a replay is the same request)
     * @param parser parses the stored response of a replay
     */
    @Transactional(Transactional.TxType.REQUIRED)
    public <T extends Message> T once(String scope, String key, Message request, Parser<T> parser,
            Supplier<T> action) {
        return once(scope, key, request, parser, action, null);
    }

    /**
     * {@link #once(String, String, Message, Parser, Supplier)}, recording the call as {@code auditedCall} in the
     * audit log unless that is null: in the statement that stores the response, one round trip for both.
     */
    private <T extends Message> T once(String scope, String key, Message request, Parser<T> parser,
            Supplier<T> action, String auditedCall) {
        requireValidKey(key);
        byte[] requestHash = sha256(request);
        String named = participantOf(request).orElse(null);
        int inserted = NativeWrites.on(em, """
                INSERT INTO idempotency_key (scope, idem_key, request_hash, created_at, participant_ref)
                VALUES (?1, ?2, ?3, now(), ?4)
                ON CONFLICT (scope, idem_key) DO NOTHING""", "idempotency_key")
                .setParameter(1, scope).setParameter(2, key).setParameter(3, requestHash)
                .setParameter(4, named)
                .executeUpdate();
        if (inserted == 1) {
            T response = action.get();
            String participant = named != null ? named : participantOf(response).orElse(null);
            String store = """
                    UPDATE idempotency_key SET response = :response,
                        participant_ref = coalesce(participant_ref, :participant)
                    WHERE scope = :scope AND idem_key = :key""";
            (auditedCall == null ? NativeWrites.on(em, store, "idempotency_key")
                    : audit.recordCallWith(auditedCall, request, response, store, "idempotency_key"))
                    .setParameter("response", response.toByteArray()).setParameter("participant", participant)
                    .setParameter("scope", scope).setParameter("key", key).executeUpdate();
            return response;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "SELECT request_hash, response FROM idempotency_key WHERE scope = ?1 AND idem_key = ?2")
                .setParameter(1, scope).setParameter(2, key).getResultList();
        Object[] stored = rows.get(0);
        if (!MessageDigest.isEqual((byte[]) stored[0], requestHash)) {
            throw Refusal.alreadyExists("idempotency key '" + key + "' was already used with a different request");
        }
        if (stored[1] == null) {
            throw Refusal.failedPrecondition("IDEMPOTENT_CALL_IN_PROGRESS",
                    "a call with idempotency key '" + key + "' is still in progress");
        }
        try {
            return parser.parseFrom((byte[]) stored[1]);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored response for key " + key + " is unreadable", e);
        }
    }

    /**
     * One call of a group committed together ({@link org.civiccredit.kit.persistence.GroupCommit}), named as
     * {@link #onceForCaller} names it: the caller's scope for the call (taken on the call's own thread), its key and
     * its whole request.
     */
    public record Claim(String scope, String key, Message request) {
    }

    /** A claimed call's answer: who made it (for its audit entry) and its response. */
    public record Answered(Claim claim, String actor, Message response) {
    }

    /**
     * Claims the keys of a group's calls in one statement, in the order of their scopes and keys (so that two groups
     * claiming the same keys wait for each other rather than deadlock). Answers, per call in order, whether its key
     * was free and is now this transaction's: a call whose key is taken (stored, or claimed by a call still running)
     * must be made alone, where {@link #onceForCaller} replays it or refuses it. Keys must be valid
     * ({@link #requireValidKey}) and distinct. Each claimed call must then be answered ({@link #storeAll}) or given
     * back ({@link #releaseAll}) in the same transaction.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean[] claimAll(List<Claim> claims) {
        int n = claims.size();
        if (n == 0) {
            return new boolean[0];
        }
        String[] scopes = new String[n];
        String[] keys = new String[n];
        String[] hashes = new String[n];
        String[] participants = new String[n];
        for (int i = 0; i < n; i++) {
            Claim c = claims.get(i);
            scopes[i] = c.scope();
            keys[i] = c.key();
            hashes[i] = HexFormat.of().formatHex(sha256(c.request()));
            participants[i] = participantOf(c.request()).orElse(null);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> claimed = NativeWrites.on(em, """
                INSERT INTO idempotency_key (scope, idem_key, request_hash, created_at, participant_ref)
                SELECT c.scope, c.idem_key, decode(c.hash, 'hex'), now(), c.participant
                FROM unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS text[]), cast(?4 AS text[]))
                     AS c(scope, idem_key, hash, participant)
                ORDER BY c.scope, c.idem_key
                ON CONFLICT (scope, idem_key) DO NOTHING
                RETURNING scope, idem_key""", "idempotency_key")
                .setParameter(1, scopes).setParameter(2, keys).setParameter(3, hashes).setParameter(4, participants)
                .getResultList();
        Set<List<String>> ours = new HashSet<>();
        claimed.forEach(row -> ours.add(List.of((String) row[0], (String) row[1])));
        boolean[] mine = new boolean[n];
        for (int i = 0; i < n; i++) {
            mine[i] = ours.contains(List.of(scopes[i], keys[i]));
        }
        return mine;
    }

    /** Gives back keys this transaction claimed ({@link #claimAll}) for calls it will not answer. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void releaseAll(List<Claim> claims) {
        if (claims.isEmpty()) {
            return;
        }
        NativeWrites.on(em, """
                DELETE FROM idempotency_key k
                USING unnest(cast(?1 AS text[]), cast(?2 AS text[])) AS c(scope, idem_key)
                WHERE k.scope = c.scope AND k.idem_key = c.idem_key AND k.response IS NULL""", "idempotency_key")
                .setParameter(1, claims.stream().map(Claim::scope).toArray(String[]::new))
                .setParameter(2, claims.stream().map(Claim::key).toArray(String[]::new)).executeUpdate();
    }

    /**
     * Stores the responses of calls this transaction claimed ({@link #claimAll}), in one statement, and appends each
     * call's audit entry ({@code call} by its actor), as {@link #onceForCaller} does for one call.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void storeAll(String call, List<Answered> answered) {
        if (answered.isEmpty()) {
            return;
        }
        int n = answered.size();
        String[] scopes = new String[n];
        String[] keys = new String[n];
        String[] responses = new String[n];
        String[] participants = new String[n];
        List<AuditLog.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Answered a = answered.get(i);
            scopes[i] = a.claim().scope();
            keys[i] = a.claim().key();
            responses[i] = HexFormat.of().formatHex(a.response().toByteArray());
            participants[i] = participantOf(a.claim().request()).or(() -> participantOf(a.response())).orElse(null);
            entries.add(AuditLog.callEntry(call, a.actor(), a.claim().request(), a.response()));
        }
        NativeWrites.on(em, """
                UPDATE idempotency_key k SET response = decode(a.response, 'hex'),
                    participant_ref = coalesce(k.participant_ref, a.participant)
                FROM unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS text[]), cast(?4 AS text[]))
                     AS a(scope, idem_key, response, participant)
                WHERE k.scope = a.scope AND k.idem_key = a.idem_key""", "idempotency_key")
                .setParameter(1, scopes).setParameter(2, keys).setParameter(3, responses).setParameter(4, participants)
                .executeUpdate();
        audit.recordAll(entries);
    }

    /**
     * Forgets every stored call that concerns a participant (by a {@code participant_id} in its request or
     * response), as part of erasing them: stored responses may hold their personal data. A retry of a
     * forgotten call runs again, and finds the participant erased.
     *
     * @return how many stored calls were forgotten
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int forgetParticipant(String participantId) {
        return em.createNativeQuery("DELETE FROM idempotency_key WHERE participant_ref = ?1")
                .setParameter(1, participantId).executeUpdate();
    }

    /**
     * The participant a message concerns: its {@code participant_id}, or that of a message it holds (one level
     * of singular message fields is searched, e.g. a contest case's report).
     */
    static Optional<String> participantOf(Message message) {
        return participantOf(message, 2);
    }

    private static Optional<String> participantOf(Message message, int depth) {
        FieldDescriptor id = message.getDescriptorForType().findFieldByName("participant_id");
        if (id != null && !id.isRepeated() && id.getJavaType() == FieldDescriptor.JavaType.STRING) {
            String value = (String) message.getField(id);
            if (!value.isEmpty()) {
                return Optional.of(value);
            }
        }
        if (depth > 1) {
            for (FieldDescriptor f : message.getDescriptorForType().getFields()) {
                if (!f.isRepeated() && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && message.hasField(f)) {
                    Optional<String> nested = participantOf((Message) message.getField(f), depth - 1);
                    if (nested.isPresent()) {
                        return nested;
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Erases every key and stored response of one caller, in the caller's transaction: a withdrawn
     * participant's keys are scoped by their subject and their stored responses may hold their own words (a
     * contest statement). Returns how many were erased. A retry of an erased call runs again.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int forgetCaller(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("a subject is required");
        }
        return em.createNativeQuery("DELETE FROM idempotency_key WHERE starts_with(scope, ?1)")
                .setParameter(1, Caller.idempotencyScopePrefix(subject)).executeUpdate();
    }

    /**
     * Adds a field violation on {@code idempotency_key} to {@code v} unless {@code key} is acceptable
     * ({@link #isValidKey}), for requests whose other fields are checked with it.
     */
    public static void requireValidKey(String key, Violations v) {
        v.require(isValidKey(key), "idempotency_key", KEY_REQUIRED);
    }

    /** Whether {@code key} is an acceptable idempotency key: present, not blank, at most {@link #MAX_KEY_LENGTH}. */
    public static boolean isValidKey(String key) {
        return key != null && !key.isBlank() && key.length() <= MAX_KEY_LENGTH;
    }

    /** Refuses a missing or oversized key with a field violation on {@code idempotency_key}. */
    public static void requireValidKey(String key) {
        if (key == null || key.isBlank()) {
            throw Refusal.invalid("idempotency_key", KEY_REQUIRED);
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw Refusal.invalid("idempotency_key", "at most " + MAX_KEY_LENGTH + " characters");
        }
    }

    static byte[] sha256(Message request) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(request.getSerializedSize());
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            request.writeTo(out);
            out.flush();
            return MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
