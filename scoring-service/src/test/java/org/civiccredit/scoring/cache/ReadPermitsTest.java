package org.civiccredit.scoring.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The places of event-loop cache reads: a read beyond them waits in line, in order, and a full line refuses. */
class ReadPermitsTest {

    @Test
    void aReadBeyondThePlacesWaitsForOneAndGoesOnWhenItIsFreed() {
        ReadPermits permits = new ReadPermits(2, 10);
        AtomicInteger going = new AtomicInteger();
        permits.acquire().subscribe().with(go -> going.incrementAndGet());
        permits.acquire().subscribe().with(go -> going.incrementAndGet());
        AtomicInteger order = new AtomicInteger();
        AtomicInteger third = new AtomicInteger();
        AtomicInteger fourth = new AtomicInteger();
        permits.acquire().subscribe().with(go -> third.set(order.incrementAndGet()));
        permits.acquire().subscribe().with(go -> fourth.set(order.incrementAndGet()));
        assertThat(going.get()).isEqualTo(2);
        assertThat(third.get()).as("waiting, no thread held").isZero();
        assertThat(permits.waiting()).isEqualTo(2);

        permits.release();
        assertThat(third.get()).as("first in line, first to go").isEqualTo(1);
        assertThat(fourth.get()).isZero();
        permits.release();
        assertThat(fourth.get()).isEqualTo(2);
        assertThat(permits.taken()).isEqualTo(2);
        assertThat(permits.waiting()).isZero();
    }

    @Test
    void aFullLineRefusesSoTheCallerCanDoSomethingElse() {
        ReadPermits permits = new ReadPermits(1, 1);
        assertThat(permits.acquire()).isNotNull();
        Uni<Void> inLine = permits.acquire();
        assertThat(inLine).isNotNull();
        assertThat(permits.acquire()).as("beyond the line").isNull();
        assertThat(permits.waiting()).isEqualTo(1);
    }

    @Test
    void aReadThatGaveUpInLinePassesItsPlaceOn() {
        ReadPermits permits = new ReadPermits(1, 10);
        permits.acquire().subscribe().with(go -> { });
        Cancellable gaveUp = permits.acquire().subscribe().with(go -> {
            throw new AssertionError("a cancelled read must not go on");
        });
        AtomicInteger next = new AtomicInteger();
        permits.acquire().subscribe().with(go -> next.incrementAndGet());
        gaveUp.cancel();

        permits.release();
        assertThat(next.get()).as("the place went past the read that gave up").isEqualTo(1);
        assertThat(permits.taken()).isEqualTo(1);
        permits.release();
        assertThat(permits.taken()).isZero();
        assertThat(permits.waiting()).isZero();
    }
}
