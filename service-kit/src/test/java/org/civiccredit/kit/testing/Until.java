package org.civiccredit.kit.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** For tests that wait for other threads to reach a state they can observe (at most 30 s). */
public final class Until {

    private Until() {
    }

    /**
     * Returns once {@code condition} holds (it is asked every few milliseconds).
     *
     * @throws AssertionError when it has not held within 30 s; its message is {@code what}
     */
    public static void holds(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what);
            }
            Thread.sleep(2);
        }
    }
}
