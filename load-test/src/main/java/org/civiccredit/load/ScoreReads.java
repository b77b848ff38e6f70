package org.civiccredit.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ThreadLocalRandom;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.load.Targets.Service;

/**
 * Scenario 2: ScoreService/GetScore, as rewards-service calls it (service role, named participant), for a
 * participant drawn uniformly from the enrolled population ({@link Provisioning}), once scoring-service's keeper
 * has cached their scores (as it does in a system that has run for a refresh period). First the maximum rate
 * (closed loop), then an open loop at half that rate for the latency a lightly loaded service gives (and at other
 * fractions of it, {@code --score-open-fractions}: on two cores shared with the driver, half of the maximum keeps
 * them three quarters busy), each followed by the echo at the same rate. Redis'
 * keyspace hits and misses during the maximum-rate phase show how many reads the live cache answered.
 */
public final class ScoreReads {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ScoreReads() {
    }

    public static void run(Run run, RedisWire redis) {
        int sessions = run.options().integer("concurrency", 64);
        long population = run.options().integer("score-readers", 1_000_000);
        Load.Operation read = seq -> Load.of(run.clients().scoresAsService().getScore(GetScoreRequest.newBuilder()
                .setParticipantId(Provisioning.scoreReaderId(ThreadLocalRandom.current().nextLong(population) + 1))
                .build()));
        Load.closedLoop("warm-up", sessions, Load.Bounds.of(run.warmup()), read);
        long[] before = keyspace(redis);
        NearCache nearBefore = nearCache(run);
        Measurement max = run.measure("GetScore, max rate", "closed, " + sessions + " sessions", Service.SCORING,
                "random of " + population + " participants",
                () -> Load.closedLoop("GetScore max", sessions, Load.Bounds.of(run.phase()), read));
        long[] after = keyspace(redis);
        NearCache nearAfter = nearCache(run);
        for (double fraction : openFractions(run.options().get("score-open-fractions", "0.5"))) {
            double rate = max.rate() * fraction;
            boolean goal = fraction == 0.5;
            String name = goal ? "half" : Double.toString(fraction);
            // As its echo counterpart (EchoBaseline.openLoop): five unmeasured seconds of the open loop at that
            // rate first, so the measured phase does not start with the switch from the closed loop.
            Load.openLoop("warm-up", rate, Load.Bounds.of(Duration.ofSeconds(5)), 2_000, read);
            String scenario = "GetScore, " + name + " of max";
            run.measure(scenario, String.format(Locale.ROOT, "open, %.0f/s", rate), null,
                    "latency from intended start" + (goal ? " (goal p99 <= 5 ms)" : ""),
                    () -> Load.openLoop("GetScore " + name, rate, Load.Bounds.of(run.phase()), 2_000, read));
            EchoBaseline.openLoop(run, Service.SCORING, rate, scenario);
        }
        long hits = after[0] - before[0];
        long misses = after[1] - before[1];
        run.results().section("GetScore and the live cache", String.format(Locale.ROOT, """
                During the maximum-rate phase Redis answered %d keyspace hits and %d misses (%.1f%% misses) for
                reads of random participants out of %d. scoring-service's keeper keeps every registered
                participant's live score in Redis (rewritten within its refresh period), so a read is a cache
                hit answered on the event loop; a miss reads the participant's row in PostgreSQL on a worker
                thread and writes the score back.%s""", hits, misses,
                hits + misses == 0 ? 0 : 100.0 * misses / (hits + misses), population,
                nearSummary(nearBefore, nearAfter)));
    }

    /**
     * The fractions of the maximum rate at which to measure the open loop ({@code --score-open-fractions}, default
     * 0.5: the goal's half of the maximum), each between 0 and 1.
     */
    static List<Double> openFractions(String option) {
        List<Double> out = new ArrayList<>();
        for (String part : option.split(",")) {
            double f = Double.parseDouble(part.trim());
            if (!(f > 0 && f <= 1)) {
                throw new IllegalArgumentException("--score-open-fractions takes fractions in (0, 1]: " + option);
            }
            out.add(f);
        }
        return out;
    }

    /** The near cache's share of the maximum-rate phase's reads, as a sentence; empty without one. */
    static String nearSummary(NearCache before, NearCache after) {
        if (before == null || after == null || after.max() == 0) {
            return "";
        }
        long hits = after.hits() - before.hits();
        long redis = after.redisAnswers() - before.redisAnswers();
        return String.format(Locale.ROOT, """
                 Before Redis, the near cache in scoring-service answered %d reads of that phase in process and
                left %d to Redis (%.1f%% in process); it held %d entries (of at most %d) at the phase's end, and
                Redis's keyspace hits above include its warmer's reads.""", hits, redis,
                hits + redis == 0 ? 0 : 100.0 * hits / (hits + redis), after.held(), after.max());
    }

    /**
     * Waits until the live cache holds the score readers, as it does in a system that has run for one refresh
     * period (the readers are written into PostgreSQL behind the service's back, so its keeper fills their
     * entries in its cold-cache pace): until 99 % of a random sample of 1,000 readers have an entry, at most
     * {@code --cache-fill-timeout} seconds (default 900). Records how long that took.
     */
    static void awaitCompleteCache(Run run, RedisWire redis, long population) {
        long timeout = run.options().integer("cache-fill-timeout", 900);
        String prefix = run.options().get("score-key-prefix", "scoring:score:");
        long started = System.nanoTime();
        int present = 0;
        int sample = 1_000;
        while (true) {
            present = 0;
            for (int i = 0; i < sample; i++) {
                String id = Provisioning.scoreReaderId(ThreadLocalRandom.current().nextLong(population) + 1);
                present += ((Long) redis.call("EXISTS", prefix + "{" + id + "}")).intValue();
            }
            long waited = (System.nanoTime() - started) / 1_000_000_000;
            if (present * 100 >= sample * 99 || waited >= timeout) {
                run.results().fact("live cache before GetScore", String.format(Locale.ROOT,
                        "%d of %d sampled readers cached after %d s of waiting for scoring-service's keeper",
                        present, sample, waited));
                System.out.printf(Locale.ROOT, "live cache: %d of %d sampled score readers cached after %d s%n",
                        present, sample, waited);
                return;
            }
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the live cache", e);
            }
        }
    }

    /** What scoring-service's near cache reports on {@code /q/health/well}; null where it reports nothing. */
    record NearCache(boolean tracking, long held, long max, boolean walking, long hits, long redisAnswers) {

        private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(true|false|\\d+)");

        static NearCache of(String wellness) {
            int at = wellness.indexOf("live scores near cache");
            if (at < 0) {
                return null;
            }
            Map<String, String> data = new HashMap<>();
            Matcher field = FIELD.matcher(wellness.substring(at));
            while (field.find()) {
                data.putIfAbsent(field.group(1), field.group(2));
            }
            return new NearCache(Boolean.parseBoolean(data.get("tracking")), number(data, "held"),
                    number(data, "max"), Boolean.parseBoolean(data.get("walking")), number(data, "hits"),
                    number(data, "redis_answers"));
        }

        private static long number(Map<String, String> data, String name) {
            String value = data.get(name);
            return value == null ? 0 : Long.parseLong(value);
        }
    }

    /** The near cache's report, or null when the service has none (or does not answer). */
    static NearCache nearCache(Run run) {
        try {
            HttpResponse<String> well = HTTP.send(HttpRequest.newBuilder(URI.create(Loopback.requireUrl("http://"
                    + run.options().get("scoring", "127.0.0.1:8082") + "/q/health/well")))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return NearCache.of(well.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking for the near cache", e);
        }
    }

    /**
     * Waits until scoring-service's near cache holds the score readers, as it does once an instance has served
     * reads for a minute or two: reads random readers (which set its warmer walking Redis, as reads that all go
     * to Redis do) until it walks, then waits until the walk ends, at most {@code --cache-fill-timeout} seconds.
     * Records how long that took and how much it holds; nothing when the service has no near cache or it is off.
     */
    static void awaitWarmNearCache(Run run, long population) {
        NearCache near = nearCache(run);
        if (near == null || near.max() == 0) {
            run.results().fact("near cache before GetScore", near == null ? "none reported" : "off");
            return;
        }
        long timeout = run.options().integer("cache-fill-timeout", 900);
        long target = Math.min(population, near.max()) * 98 / 100;
        long started = System.nanoTime();
        while (true) {
            near = nearCache(run);
            long waited = (System.nanoTime() - started) / 1_000_000_000;
            if (near == null || (near.held() >= target && !near.walking()) || waited >= timeout) {
                String held = near == null ? "no answer" : String.format(Locale.ROOT, "%d entries held (of at most %d)"
                        + "%s", near.held(), near.max(), near.walking() ? ", still walking" : "");
                run.results().fact("near cache before GetScore", held + " after " + waited + " s");
                System.out.printf(Locale.ROOT, "near cache: %s after %d s%n", held, waited);
                return;
            }
            if (!near.walking()) {
                // A second of reads that Redis answers: what sets the warmer walking in a cold instance.
                long until = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < until) {
                    // A stub per call: a stub's deadline runs from its creation, and this wait may take minutes.
                    run.clients().scoresAsServiceBlocking().getScore(GetScoreRequest.newBuilder()
                            .setParticipantId(Provisioning.scoreReaderId(
                                    ThreadLocalRandom.current().nextLong(population) + 1)).build());
                }
            }
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the near cache", e);
            }
        }
    }

    /** Redis' keyspace_hits and keyspace_misses counters. */
    static long[] keyspace(RedisWire redis) {
        String info = (String) redis.call("INFO", "stats");
        long hits = 0;
        long misses = 0;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("keyspace_hits:")) {
                hits = Long.parseLong(line.substring(14).trim());
            } else if (line.startsWith("keyspace_misses:")) {
                misses = Long.parseLong(line.substring(16).trim());
            }
        }
        return new long[] {hits, misses};
    }
}
