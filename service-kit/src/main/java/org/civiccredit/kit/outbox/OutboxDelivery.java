package org.civiccredit.kit.outbox;

import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.UUID;
import org.civiccredit.kit.idempotency.IdempotentCalls;

/**
 * What a service's outbox rows mean: each service that writes outbox rows provides one bean that performs
 * the call a row stands for. Calls must be idempotent at the receiver; failures are reported by throwing the
 * call's {@link io.grpc.StatusRuntimeException}.
 */
public interface OutboxDelivery {

    /** Most rows one {@link #deliverBatch} call carries (the receivers' limit of a batched call). */
    int MAX_BATCH = 100;

    /** Makes the call that row {@code kind} with request bytes {@code payload} stands for. */
    void deliver(String kind, byte[] payload);

    /** Whether rows of {@code kind} can be delivered several in one call, by {@link #deliverBatch}. */
    default boolean batches(String kind) {
        return false;
    }

    /**
     * Makes the calls of several rows of {@code kind} (at most {@link #MAX_BATCH}, each of another stream) in one
     * call. Returns one entry per payload, in order: {@code null} when that row was acknowledged, otherwise the
     * status the single call would have thrown for it. A failure of the whole call (receiver down, deadline) is
     * thrown, as {@link #deliver} throws it.
     */
    default List<StatusRuntimeException> deliverBatch(String kind, List<byte[]> payloads) {
        throw new UnsupportedOperationException("rows of kind " + kind + " are delivered one at a time");
    }

    /**
     * The idempotency key of a batched call: its first item's key and its size (each item's natural id governs its
     * own result; the key only names the call), at most {@link IdempotentCalls#MAX_KEY_LENGTH} characters.
     */
    static String batchKey(String firstItemKey, int items) {
        String key = "batch:" + items + ":" + firstItemKey;
        return key.length() <= IdempotentCalls.MAX_KEY_LENGTH ? key : key.substring(0, IdempotentCalls.MAX_KEY_LENGTH);
    }

    /**
     * Called in the relay's transaction after rows of {@code kind} were acknowledged (the rows of one call, in
     * order), to record what the delivery settled (e.g. their reports are now scored). {@code references} are the
     * rows' report ids, null for a row without one.
     */
    default void delivered(String kind, List<UUID> references) {
    }
}
