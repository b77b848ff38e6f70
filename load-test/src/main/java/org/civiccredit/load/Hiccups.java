package org.civiccredit.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The driver's own hiccups, measured the way jHiccup measures them: a thread asks to sleep for a millisecond, again
 * and again, and when it wakes more than a millisecond late, the gap is a time in which a thread of the driver that
 * was ready could not run (the driver stopped for a collection, or no core free for it). Calls in flight then were
 * timed late by the driver itself, whatever the service did.
 */
final class Hiccups implements AutoCloseable {

    private static final long TICK = 1_000_000;
    private static final long LATE = 1_000_000;
    private static final int MAX_KEPT = 200_000;

    private final List<Stops.Stop> late = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    Hiccups() {
        thread = new Thread(this::measure, "load-hiccups");
        thread.setDaemon(true);
        thread.start();
    }

    private void measure() {
        while (running) {
            long asked = System.nanoTime() + TICK;
            LockSupport.parkNanos(TICK);
            long woke = System.nanoTime();
            if (woke - asked > LATE) {
                synchronized (late) {
                    if (late.size() < MAX_KEPT) {
                        late.add(new Stops.Stop(asked, woke, "driver thread late"));
                    }
                }
            }
        }
    }

    /** Forgets the hiccups seen so far (before a phase). */
    void clear() {
        synchronized (late) {
            late.clear();
        }
    }

    /** The hiccups that overlap {@code [from, to)}, in order. */
    List<Stops.Stop> within(long from, long to) {
        synchronized (late) {
            return Stops.within(late, from, to);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
