package org.civiccredit.scoring.cache;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Places for cache reads in flight on the event loops, and an orderly wait for one: a read beyond the places
 * waits in line without holding a thread, and continues on its own Vert.x context when a place frees up. Only
 * beyond the line's own bound does {@link #acquire} refuse. Moving the overflow to worker threads instead (the
 * fifth round's rule) turned a burst into a collapse: two hundred worker threads blocked on the Redis pool, whose
 * overflow then fell back to PostgreSQL at five times a cache read's cost, so the service fell further behind at
 * half of its maximum rate.
 */
final class ReadPermits {

    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int USED = 2;
    private static final int GIVEN_UP = 3;

    private final int places;
    private final int maxWaiting;
    private final AtomicInteger taken = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Queue<Runnable> line = new ConcurrentLinkedQueue<>();

    ReadPermits(int places, int maxWaiting) {
        this.places = places;
        this.maxWaiting = maxWaiting;
    }

    /**
     * A place, at once or after the reads ahead have finished; null when the line is full (the caller decides
     * what an overloaded read does). Each place taken must be {@link #release}d once.
     */
    Uni<Void> acquire() {
        if (tryTake()) {
            return Uni.createFrom().voidItem();
        }
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            return null;
        }
        Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> {
            // WAITING -> GRANTED (a place taken for it) -> USED; or -> GIVEN_UP when the caller cancels first.
            AtomicInteger state = new AtomicInteger(WAITING);
            emitter.onTermination(() -> {
                if (state.compareAndSet(GRANTED, GIVEN_UP)) {
                    release(); // granted, but the caller is gone: pass the place on
                } else {
                    state.compareAndSet(WAITING, GIVEN_UP);
                }
            });
            line.add(() -> {
                waiting.decrementAndGet();
                if (!state.compareAndSet(WAITING, GRANTED)) {
                    release();
                    return;
                }
                Runnable go = () -> {
                    if (state.compareAndSet(GRANTED, USED)) {
                        emitter.complete(null);
                    }
                };
                if (context == null) {
                    go.run();
                } else {
                    context.runOnContext(onContext -> go.run());
                }
            });
            handOut();
        });
    }

    /** Frees a place: the first read in line, if any, takes it. */
    void release() {
        taken.decrementAndGet();
        handOut();
    }

    /** Places taken now. */
    int taken() {
        return taken.get();
    }

    /** Reads waiting in line now. */
    int waiting() {
        return waiting.get();
    }

    /** Gives free places to the reads in line, first come first served. */
    private void handOut() {
        while (!line.isEmpty() && tryTake()) {
            Runnable next = line.poll();
            if (next == null) {
                // Another thread took the read this place was for: give the place back and look again, since a
                // read that joined the line meanwhile may have found no place because of this one.
                taken.decrementAndGet();
                continue;
            }
            next.run();
        }
    }

    private boolean tryTake() {
        while (true) {
            int now = taken.get();
            if (now >= places) {
                return false;
            }
            if (taken.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }
}
