package org.civiccredit.load;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.load.Targets.Service;

/**
 * Scenario 2: ScoreService/GetScore, as rewards-service calls it (service role, named participant), for a
 * participant drawn uniformly from the enrolled population ({@link Provisioning}), once scoring-service's keeper
 * has cached their scores (as it does in a system that has run for a refresh period). First the maximum rate
 * (closed loop), then an open loop at half that rate for the latency a lightly loaded service gives. Redis'
 * keyspace hits and misses during the maximum-rate phase show how many reads the live cache answered.
 */
public final class ScoreReads {

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
        Measurement max = run.measure("GetScore, max rate", "closed, " + sessions + " sessions", Service.SCORING,
                "random of " + population + " participants",
                () -> Load.closedLoop("GetScore max", sessions, Load.Bounds.of(run.phase()), read));
        long[] after = keyspace(redis);
        double half = max.rate() / 2;
        run.measure("GetScore, half of max", String.format(Locale.ROOT, "open, %.0f/s", half), null,
                "latency from intended start (goal p99 <= 5 ms)",
                () -> Load.openLoop("GetScore half", half, Load.Bounds.of(run.phase()), 2_000, read));
        long hits = after[0] - before[0];
        long misses = after[1] - before[1];
        run.results().section("GetScore and the live cache", String.format(Locale.ROOT, """
                During the maximum-rate phase Redis answered %d keyspace hits and %d misses (%.1f%% misses) for
                reads of random participants out of %d. scoring-service's keeper keeps every registered
                participant's live score in Redis (rewritten within its refresh period), so a read is a cache
                hit answered on the event loop; a miss reads the participant's row in PostgreSQL on a worker
                thread and writes the score back.""", hits, misses,
                hits + misses == 0 ? 0 : 100.0 * misses / (hits + misses), population));
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
