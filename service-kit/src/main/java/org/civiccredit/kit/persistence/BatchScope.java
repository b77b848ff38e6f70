package org.civiccredit.kit.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The state of a batched call's transaction ({@link org.civiccredit.kit.grpc.ItemBatches}): what its items' reads
 * loaded for all of them at once, and the appends they make (outbox rows, audit entries, counter changes), written
 * together, one statement each, when the last item is done instead of one statement per item. Outside such a
 * transaction (a single call, or a batch's items applied again one by one) nothing is held here: {@link #value}
 * and {@link #deferred} answer {@code null} and callers read and write at once, as before.
 *
 * <p>The state lives as a resource of the transaction, so it ends with it: a batch that fails leaves nothing behind
 * for the transactions that apply its items again.
 */
@ApplicationScoped
public class BatchScope {

    private static final Object KEY = BatchScope.class;

    @Inject
    TransactionSynchronizationRegistry registry;

    private static final class State {
        final Map<Object, Object> values = new LinkedHashMap<>();
        final Map<Object, Runnable> writes = new LinkedHashMap<>();
        boolean finished;
    }

    /** Marks the current transaction as a batch's; {@link #finish} must follow before it commits. */
    public void begin() {
        registry.putResource(KEY, new State());
    }

    /** Makes the deferred writes, each once, in the order they were first deferred; the batch is over. */
    public void finish() {
        State state = state();
        if (state == null || state.finished) {
            return;
        }
        state.finished = true;
        state.writes.values().forEach(Runnable::run);
        state.writes.clear();
        state.values.clear();
    }

    /** Whether the current transaction is a batch's, with its items still being applied. */
    public boolean open() {
        return state() != null;
    }

    /** This batch's value under {@code key}, created by {@code create} on first use; {@code null} outside a batch. */
    public <T> T value(Object key, Supplier<T> create) {
        State state = state();
        if (state == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        T value = (T) state.values.computeIfAbsent(key, k -> create.get());
        return value;
    }

    /**
     * This batch's pending writes under {@code key} (created by {@code create} on first use), which {@code write}
     * makes when the batch's items are done; {@code null} outside a batch, where the caller writes at once.
     */
    public <T> T deferred(Object key, Supplier<T> create, Consumer<T> write) {
        State state = state();
        if (state == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        T pending = (T) state.values.computeIfAbsent(key, k -> create.get());
        state.writes.computeIfAbsent(key, k -> () -> write.accept(pending));
        return pending;
    }

    private State state() {
        if (registry.getTransactionKey() == null) {
            return null;
        }
        State state = (State) registry.getResource(KEY);
        return state == null || state.finished ? null : state;
    }
}
