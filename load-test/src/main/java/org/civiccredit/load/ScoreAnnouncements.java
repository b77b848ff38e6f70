package org.civiccredit.load;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * When a report's effect is visible in the live score cache. scoring-service writes a participant's live score
 * to Redis and publishes the change on {@code scoring:score-changes} in one Lua script (ScoreCache), and the
 * message names the report that caused it; so the moment the message with a report's id arrives, Redis holds
 * a score of that participant at least as new as the one including the report (the script never lets an older
 * version overwrite a newer one). The driver follows the channel and completes the report's future then.
 */
public final class ScoreAnnouncements implements AutoCloseable {

    private final RedisWire subscription;
    private static final int EARLY_KEPT = 100_000;

    /**
     * Reports awaited, and reports announced before anyone awaited them (the RPC reply can arrive later; newest
     * kept). Both are changed only under this lock: a report is either awaited or announced early, never missed
     * between the two (a lookup in one and an insert into the other without it lost one report in 9,382, whose
     * wait then timed out).
     */
    private final Object lock = new Object();
    private final Map<String, CompletableFuture<Long>> waiting = new HashMap<>();
    private final Map<String, Long> early = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > EARLY_KEPT;
        }
    };

    public ScoreAnnouncements(String host, int port, String channel) {
        subscription = new RedisWire(host, port);
        subscription.subscribe(channel, this::announced);
    }

    /** Without a subscription: announcements come only through {@link #announced} (tests). */
    ScoreAnnouncements() {
        subscription = null;
    }

    /**
     * Completes with the System.nanoTime() of the announcement of {@code reportId}; fails after
     * {@code timeoutSeconds}.
     */
    public CompletableFuture<Long> visible(String reportId, long timeoutSeconds) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        synchronized (lock) {
            Long at = early.remove(reportId);
            if (at != null) {
                return CompletableFuture.completedFuture(at);
            }
            waiting.put(reportId, f);
        }
        return f.orTimeout(timeoutSeconds, TimeUnit.SECONDS).whenComplete((r, e) -> {
            synchronized (lock) {
                waiting.remove(reportId, f);
            }
        });
    }

    /** The report id of a score-change message, or null for other messages. */
    static String reportOf(String message) {
        try {
            JsonObject json = JsonParser.parseString(message).getAsJsonObject();
            if (!"score".equals(json.has("type") ? json.get("type").getAsString() : "")) {
                return null;
            }
            String report = json.has("report") ? json.get("report").getAsString() : "";
            return report.isEmpty() ? null : report;
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    void announced(String message) {
        long at = System.nanoTime();
        String report = reportOf(message);
        if (report == null) {
            return;
        }
        CompletableFuture<Long> f;
        synchronized (lock) {
            f = waiting.get(report);
            if (f == null) {
                early.put(report, at);
            }
        }
        if (f != null) {
            f.complete(at);
        }
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
    }
}
