package org.civiccredit.scoring.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import java.util.UUID;
import org.civiccredit.kit.testing.Until;

/**
 * Waits for Redis' announcements of changes to reach the near cache. A change this instance wrote is announced to
 * its own near cache too, a moment after the write returned: a read in that moment is held, then dropped when the
 * announcement arrives. A test that looks at what the near cache holds first waits for every announcement so far.
 */
public final class NearAnnouncements {

    private NearAnnouncements() {
    }

    /**
     * Returns once every change made to a live score key before this call has been announced to {@code near}:
     * Redis sends the announcements in the order of the changes, so once that of a change made now, to a key of
     * its own, has arrived (it removes a read's ticket placed for that key), every earlier one has.
     */
    public static void awaitAll(NearScores near, ScoreCache cache, RedisDataSource redis) {
        assertThat(near.tracking()).as("the near cache is tracking").isTrue();
        String marker = "announcement-marker-" + UUID.randomUUID();
        assertThat(near.reserve(marker)).as("a read's ticket for a key nobody else uses").isNotNull();
        try {
            redis.hash(String.class).hset(cache.key(marker), "marker", "1");
            Until.holds(() -> !near.holds(marker), "the marker's change was announced");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            redis.key().del(cache.key(marker));
            near.invalidate(marker);
        }
    }
}
