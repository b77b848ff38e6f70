package org.civiccredit.kit.persistence;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Group commit for concurrent calls of one kind (SubmitReport): at most {@code lanes} of their transactions run at
 * once, and the calls that arrive while every lane is busy are committed together by the next call to get a lane,
 * in one transaction, up to {@code maxItems} at a time. A call that finds a lane free and nobody waiting runs alone,
 * as it would without this class; so a lone caller waits for nothing, and under load the calls that queue up share
 * one transaction's statements and commit.
 *
 * <p>Each call runs on its own thread and blocks until its item is done. {@code together} commits a group of items
 * and answers each of them, or {@code null} for an item it left to be applied alone (one it would refuse, say); if it
 * throws, every item of the group is left to be applied alone. An item left alone is applied by its own thread with
 * the {@code alone} it was submitted with (outside the lanes, as it is rare): its single call, which then gives the
 * exact answer or refusal the call would have had without grouping. {@code together} must therefore leave nothing
 * behind for the items it does not answer.
 *
 * <p>Items with the same {@code key} (a call's idempotency scope and key) are never in one group: the later one
 * waits for the next.
 *
 * @param <I> an item: one call's request and whatever its caller's identity contributes
 * @param <R> an item's answer
 */
public final class GroupCommit<I, R> {

    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    private final int maxItems;
    private final int lanes;
    private final Function<I, Object> key;
    private final Function<List<I>, List<R>> together;

    private final ArrayDeque<Waiter<I, R>> queue = new ArrayDeque<>();
    private int running;
    private long groups;
    private long grouped;
    private long lone;
    private long leftAlone;

    /** Counters: for tests, and for the service to log how its calls were committed. */
    public record Stats(int running, int queued, long groups, long groupedItems, long alone, long leftAlone) {
    }

    private static final class Waiter<I, R> {
        final I item;
        /** In a group that another call is committing. */
        boolean taken;
        boolean done;
        R answer;

        Waiter(I item) {
            this.item = item;
        }
    }

    /**
     * @param maxItems most items in one group (at least 2)
     * @param lanes most transactions of these calls at once (at least 1)
     * @param key what two items must not share in a group
     * @param together commits a group; answers each item in order, or {@code null} for one left to be applied alone
     */
    public GroupCommit(int maxItems, int lanes, Function<I, Object> key, Function<List<I>, List<R>> together) {
        if (maxItems < 2 || lanes < 1) {
            throw new IllegalArgumentException("a group needs at least 2 items and 1 lane");
        }
        this.maxItems = maxItems;
        this.lanes = lanes;
        this.key = key;
        this.together = together;
    }

    /**
     * Applies {@code item}: alone (by {@code alone}) if a lane is free and nothing waits, else in a group, or alone
     * after all if the group left it so. Blocks the calling thread until then; {@code alone}'s exceptions reach the
     * caller.
     */
    public R submit(I item, Supplier<R> alone) {
        Waiter<I, R> me = new Waiter<>(item);
        boolean interrupted = false;
        synchronized (this) {
            queue.add(me);
        }
        try {
            while (true) {
                List<Waiter<I, R>> group;
                synchronized (this) {
                    while (!me.done && (me.taken || running >= lanes)) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (me.done) {
                        if (me.answer != null) {
                            return me.answer;
                        }
                        leftAlone++;
                        break;
                    }
                    running++;
                    group = take();
                    if (group.size() == 1 && group.get(0) == me) {
                        lone++;
                    } else {
                        groups++;
                        grouped += group.size();
                    }
                }
                if (group.size() == 1 && group.get(0) == me) {
                    try {
                        return alone.get();
                    } finally {
                        release(List.of(), null);
                    }
                }
                List<R> answers = null;
                try {
                    answers = together.apply(group.stream().map(w -> w.item).toList());
                    if (answers.size() != group.size()) {
                        throw new IllegalStateException(answers.size() + " answers for " + group.size() + " items");
                    }
                } catch (RuntimeException e) {
                    LOG.debugf(e, "a group of %d items was not committed; each is applied alone", group.size());
                    answers = null;
                } finally {
                    release(group, answers);
                }
                // Not in this group (a later place in the queue, or a key already in it): wait for the next.
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return alone.get();
    }

    /** The counters so far. */
    public synchronized Stats stats() {
        return new Stats(running, queue.size(), groups, grouped, lone, leftAlone);
    }

    /** Takes the next group off the queue: its first items in order, one per key, at most {@link #maxItems}. */
    private List<Waiter<I, R>> take() {
        List<Waiter<I, R>> group = new ArrayList<>();
        Set<Object> keys = new HashSet<>();
        for (Iterator<Waiter<I, R>> it = queue.iterator(); it.hasNext() && group.size() < maxItems;) {
            Waiter<I, R> w = it.next();
            if (keys.add(key.apply(w.item))) {
                w.taken = true;
                group.add(w);
                it.remove();
            }
        }
        return group;
    }

    /** Ends a transaction: publishes the group's answers ({@code null}: all left alone) and frees its lane. */
    private synchronized void release(List<Waiter<I, R>> group, List<R> answers) {
        for (int i = 0; i < group.size(); i++) {
            Waiter<I, R> w = group.get(i);
            w.answer = answers == null ? null : answers.get(i);
            w.done = true;
        }
        running--;
        notifyAll();
    }
}
