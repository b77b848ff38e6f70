package org.civiccredit.kit.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
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

    /**
     * Rows a batch looked up by key up front (its items' reports' events or lots, say): which keys it looked up, and
     * what it found for them, kept up to date with what its items create.
     */
    public static class Found<V> {
        private final Set<String> looked = new HashSet<>();
        private final Map<String, V> found = new HashMap<>();

        /** Records a lookup of {@code keys} that found {@code rows} (by key; a key without a row has none). */
        public void lookedUp(Collection<String> keys, Map<String, V> rows) {
            looked.addAll(keys);
            found.putAll(rows);
        }

        /** Records a row an item created under {@code key}. */
        public void created(String key, V row) {
            looked.add(key);
            found.put(key, row);
        }

        /** The row under {@code key}: as looked up (or created) in the batch, or else as {@code read} finds it. */
        public Optional<V> get(String key, Function<String, Optional<V>> read) {
            return looked.contains(key) ? Optional.ofNullable(found.get(key)) : read.apply(key);
        }
    }

    private State state() {
        if (registry.getTransactionKey() == null) {
            return null;
        }
        State state = (State) registry.getResource(KEY);
        return state == null || state.finished ? null : state;
    }
}
