package org.civiccredit.scoring.cache;

import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A concurrent map of at most about {@code capacity} entries that evicts by CLOCK (second chance): a read marks
 * its entry referenced, and when an insert takes the map over its capacity a sweep goes round the entries,
 * clearing marks and removing the first entries it finds unmarked.
 *
 * <p>Why not Caffeine, as before: a Caffeine read records the entry in a read buffer and later moves it in the
 * eviction order, so every read writes references into long-lived objects. For scoring-service's near cache, a
 * million entries read at tens of thousands per second, those writes dirtied thousands of cards between young
 * collections, and the collections' pauses were longest there (docs/performance.md, tenth and eleventh rounds).
 * Here a read writes nothing but a boolean, and only when the entry was not marked since the last sweep; a
 * boolean store needs no card mark.
 *
 * <p>Conditional operations compare values with {@code equals}, as {@link java.util.concurrent.ConcurrentMap}
 * does. The size may exceed the capacity by the inserts that race a sweep in progress, and briefly by a few more
 * (see {@link #evictIfOver}); never by more than {@link #OVERSHOOT} plus the number of inserts in progress.
 *
 * <p>The map counts its entries itself rather than asking {@link ConcurrentHashMap#size()}. That sums per-thread
 * counter cells one after another, so a thread descheduled while summing (on two cores, for a whole time slice)
 * returns cells read before and after thousands of other inserts and evictions: off by hundreds, either way. The
 * bound above rests on comparing the size with the capacity, so it needs a count that is exact at some instant.
 */
final class SecondChanceMap<K, V> {

    /** The most entries one insert's sweep looks at. */
    static final int SWEEP_STEPS = 1024;

    /**
     * How far over its capacity the map may grow while its sweeps fall behind. Past it, an insert drops its own
     * entry again instead of waiting for a sweep: a sweeper descheduled while it holds the sweep (on two cores, for
     * a whole time slice) would otherwise let the other threads add entries without bound.
     */
    static final int OVERSHOOT = 256;

    /** A value and its reference mark; a replaced value gets a new node (unmarked). */
    private static final class Node<V> {
        final V value;
        /** Plain, not volatile: a mark lost to a race only changes which entry a sweep takes. */
        boolean referenced;

        Node(V value) {
            this.value = value;
        }
    }

    private final ConcurrentHashMap<K, Node<V>> map;
    /**
     * The entries held: raised after an insert, lowered after a removal, so it runs behind the map by the changes
     * in progress, one per thread at most.
     */
    private final AtomicInteger held = new AtomicInteger();
    private final int capacity;
    /** Package-private for tests, which hold it to stand for a sweeper that was descheduled. */
    final ReentrantLock sweeping = new ReentrantLock();
    /** Where the last sweep stopped; guarded by {@link #sweeping}. */
    private Iterator<Map.Entry<K, Node<V>>> hand;

    SecondChanceMap(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, not " + capacity);
        }
        this.capacity = capacity;
        this.map = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
    }

    /** The value held for {@code key}, marking it referenced; null when none is held. */
    V get(Object key) {
        Node<V> node = map.get(key);
        if (node == null) {
            return null;
        }
        if (!node.referenced) {
            node.referenced = true;
        }
        return node.value;
    }

    /**
     * Holds {@code value} unless {@code key} holds one already; returns that one, or null when this was placed.
     * A value that leaves the map more than {@link #OVERSHOOT} over its capacity after this insert's sweep (another
     * thread held the sweep, or the entries it looked at had all been read since the last round) is dropped again
     * at once, as an eviction would drop it later: what the map holds is never promised to stay. So the map holds
     * at most {@code capacity + OVERSHOOT} entries, and one more per insert in progress.
     */
    V putIfAbsent(K key, V value) {
        Node<V> node = new Node<>(Objects.requireNonNull(value));
        Node<V> there = map.putIfAbsent(key, node);
        if (there != null) {
            return there.value;
        }
        if (held.incrementAndGet() > capacity) {
            evictIfOver();
            if (held.get() > capacity + OVERSHOOT && map.remove(key, node)) {
                held.decrementAndGet();
            }
        }
        return null;
    }

    /** Replaces the value of {@code key} if it equals {@code expected}; whether it did. */
    boolean replace(K key, V expected, V value) {
        Objects.requireNonNull(value);
        boolean[] replaced = {false};
        map.computeIfPresent(key, (k, node) -> {
            if (!Objects.equals(node.value, expected)) {
                return node;
            }
            replaced[0] = true;
            return new Node<>(value);
        });
        return replaced[0];
    }

    /** Removes {@code key} if its value equals {@code expected}; whether it did. */
    boolean remove(Object key, Object expected) {
        boolean[] removed = {false};
        map.computeIfPresent(cast(key), (k, node) -> {
            if (!Objects.equals(node.value, expected)) {
                return node;
            }
            removed[0] = true;
            return null;
        });
        if (removed[0]) {
            held.decrementAndGet();
        }
        return removed[0];
    }

    /** Removes whatever {@code key} holds. */
    void remove(Object key) {
        if (map.remove(key) != null) {
            held.decrementAndGet();
        }
    }

    boolean containsKey(Object key) {
        return map.containsKey(key);
    }

    /** The entries held, exact at the instant it was read but for changes in progress (one per thread). */
    int size() {
        return held.get();
    }

    /** Removes every entry, one at a time so that each removal is counted. */
    void clear() {
        for (K key : map.keySet()) {
            remove(key);
        }
    }

    /**
     * Sweeps while the map is over its capacity (the caller found it over): one thread at a time (an insert that
     * finds a sweep running leaves it to that one), and at most {@link #SWEEP_STEPS} entries per insert, so that no
     * insert (on an event loop, say) walks a million marked entries at once. When every entry was read since the last
     * round, the map may so hold up to one entry more per {@code SWEEP_STEPS} held until the hand has cleared their
     * marks (at most {@link #OVERSHOOT} more: {@link #putIfAbsent} drops its own entry beyond that).
     */
    private void evictIfOver() {
        if (!sweeping.tryLock()) {
            return;
        }
        try {
            int steps = SWEEP_STEPS;
            while (held.get() > capacity && steps-- > 0) {
                if (hand == null || !hand.hasNext()) {
                    hand = map.entrySet().iterator();
                    if (!hand.hasNext()) {
                        return;
                    }
                }
                Map.Entry<K, Node<V>> e = hand.next();
                Node<V> node = e.getValue();
                if (node.referenced) {
                    node.referenced = false;
                } else {
                    // Only this node: a value replaced meanwhile is a new, unswept node.
                    if (map.remove(e.getKey(), node)) {
                        held.decrementAndGet();
                    }
                }
            }
        } finally {
            sweeping.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private K cast(Object key) {
        return (K) key;
    }
}
