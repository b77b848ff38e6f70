package org.civiccredit.kit.outbox;

import java.util.UUID;

/**
 * What a service's outbox rows mean: each service that writes outbox rows provides one bean that performs
 * the call a row stands for. Calls must be idempotent at the receiver; failures are reported by throwing the
 * call's {@link io.grpc.StatusRuntimeException}.
 */
public interface OutboxDelivery {

    /** Makes the call that row {@code kind} with request bytes {@code payload} stands for. */
    void deliver(String kind, byte[] payload);

    /**
     * Called in the relay's transaction after a row was acknowledged, to record what the delivery settled
     * (e.g. a report is now scored). {@code reference} is the row's report id, if it has one.
     */
    default void delivered(String kind, UUID reference) {
    }
}
