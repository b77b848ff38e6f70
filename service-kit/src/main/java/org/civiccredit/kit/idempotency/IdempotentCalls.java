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
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.kit.error.Refusal;
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
 */
@ApplicationScoped
public class IdempotentCalls {

    /** Longest key accepted. */
    public static final int MAX_KEY_LENGTH = 128;

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
        int inserted = NativeWrites.on(em, """
                INSERT INTO idempotency_key (scope, idem_key, request_hash, created_at)
                VALUES (?1, ?2, ?3, now())
                ON CONFLICT (scope, idem_key) DO NOTHING""", "idempotency_key")
                .setParameter(1, scope).setParameter(2, key).setParameter(3, requestHash)
                .executeUpdate();
        if (inserted == 1) {
            T response = action.get();
            String participant = participantOf(request).or(() -> participantOf(response)).orElse(null);
            String store = """
                    UPDATE idempotency_key SET response = :response, participant_ref = :participant
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

    /** Refuses a missing or oversized key with a field violation on {@code idempotency_key}. */
    public static void requireValidKey(String key) {
        if (key == null || key.isBlank()) {
            throw Refusal.invalid("idempotency_key", "required: a client-chosen key, 1 to " + MAX_KEY_LENGTH
                    + " characters, the same on every retry of this call");
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
