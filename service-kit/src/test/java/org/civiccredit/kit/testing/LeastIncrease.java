package org.civiccredit.kit.testing;

import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a call adds to a counter that other threads add to as well, such as Hibernate's statement counts (the
 * session factory's, every thread's). Background work only ever adds, so the least increase over several tries is
 * nearest the call's own.
 */
public final class LeastIncrease {

    private LeastIncrease() {
    }

    /**
     * The least that {@code call} added to {@code counter} in {@code tries} tries, each on a fresh input from
     * {@code prepare} (prepared before the count is taken, so its own work is not counted).
     */
    public static <T> long of(int tries, LongSupplier counter, Supplier<T> prepare, Consumer<T> call) {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < tries; i++) {
            T input = prepare.get();
            long before = counter.getAsLong();
            call.accept(input);
            least = Math.min(least, counter.getAsLong() - before);
        }
        return least;
    }
}
