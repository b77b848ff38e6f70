package org.civiccredit.kit.persistence;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>A waiting call is woken only when something concerns it: its group is done, or a lane came free and it is the
 * first in the queue (the others wait on). Waking every waiter at each transaction's end, as one shared monitor does,
 * would also wake the calls that queued for the next group while this one committed, each of them to take the lock
 * in turn and park again: hand-overs between threads that nothing needed.
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

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter<I, R>> queue = new ArrayDeque<>();
    private int running;
    private long groups;
    private long grouped;
    private long lone;
    private long leftAlone;
    private long wakeUps;
    private long futileWakeUps;

    /**
     * Counters: for tests, and for the service to log how its calls were committed. {@code wakeUps} counts the times a
     * waiting call was woken; {@code futileWakeUps} those after which it had to wait again.
     */
    public record Stats(int running, int queued, long groups, long groupedItems, long alone, long leftAlone,
            long wakeUps, long futileWakeUps) {
    }

    private static final class Waiter<I, R> {
        final I item;
        /** Signalled when this waiter's group is done or when it is called to take a free lane. */
        final Condition woken;
        /** In a group that another call is committing. */
        boolean taken;
        /**
         * On its way to look for a free lane: called by {@link #callForFreeLanes}, just queued, or a leader back from a
         * group it was not in. Cleared when it waits again or takes a lane.
         */
        boolean called;
        boolean done;
        R answer;

        Waiter(I item, Condition woken) {
            this.item = item;
            this.woken = woken;
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
        Waiter<I, R> me;
        boolean interrupted = false;
        lock.lock();
        try {
            me = new Waiter<>(item, lock.newCondition());
            // It looks for a free lane at once, as if called.
            me.called = true;
            queue.add(me);
        } finally {
            lock.unlock();
        }
        try {
            while (true) {
                List<Waiter<I, R>> group;
                lock.lock();
                try {
                    boolean waited = false;
                    while (!me.done && (me.taken || running >= lanes)) {
                        if (waited) {
                            futileWakeUps++;
                        }
                        me.called = false;
                        try {
                            me.woken.await();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                        wakeUps++;
                        waited = true;
                    }
                    if (me.done) {
                        if (me.answer != null) {
                            return me.answer;
                        }
                        leftAlone++;
                        break;
                    }
                    running++;
                    me.called = false;
                    group = take();
                    if (group.size() == 1 && group.get(0) == me) {
                        lone++;
                    } else {
                        groups++;
                        grouped += group.size();
                    }
                    // The group may hold calls that were called for another free lane.
                    callForFreeLanes();
                } finally {
                    lock.unlock();
                }
                if (group.size() == 1 && group.get(0) == me) {
                    try {
                        return alone.get();
                    } finally {
                        release(List.of(), null, me);
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
                    release(group, answers, me);
                }
                // Not in this group (a later place in the queue, or a key already in it): on to the next.
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return alone.get();
    }

    /** The counters so far. */
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(running, queue.size(), groups, grouped, lone, leftAlone, wakeUps, futileWakeUps);
        } finally {
            lock.unlock();
        }
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

    /**
     * Ends a transaction run by {@code leader}: publishes the group's answers ({@code null}: all left alone) and wakes
     * its items' threads, frees the lane, and calls a waiter to take it. The leader itself, if it still waits in the
     * queue (it was not in its group), looks for a lane at once, so it counts as called.
     */
    private void release(List<Waiter<I, R>> group, List<R> answers, Waiter<I, R> leader) {
        lock.lock();
        try {
            for (int i = 0; i < group.size(); i++) {
                Waiter<I, R> w = group.get(i);
                w.answer = answers == null ? null : answers.get(i);
                w.done = true;
                if (w != leader) {
                    w.woken.signal();
                }
            }
            running--;
            if (!leader.taken && !leader.done) {
                leader.called = true;
            }
            callForFreeLanes();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Calls the first waiters in the queue that are not called yet, until as many are called as lanes are free: each
     * free lane has one waiter on its way to take it, and no more are woken than can take one.
     */
    private void callForFreeLanes() {
        int uncalledLanes = lanes - running;
        if (uncalledLanes <= 0) {
            return;
        }
        for (Waiter<I, R> w : queue) {
            if (w.called) {
                uncalledLanes--;
            }
        }
        for (Iterator<Waiter<I, R>> it = queue.iterator(); it.hasNext() && uncalledLanes > 0;) {
            Waiter<I, R> w = it.next();
            if (!w.called) {
                w.called = true;
                w.woken.signal();
                uncalledLanes--;
            }
        }
    }
}
