package org.civiccredit.load;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.load.Targets.Service;

/**
 * Scenario 2: ScoreService/GetScore, as rewards-service calls it (service role, named participant), for a
 * participant drawn uniformly from the enrolled population ({@link Provisioning}). First the maximum rate
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
                During the maximum-rate phase Redis answered %d keyspace hits and %d misses (%.0f%% misses): with %d
                participants and a 15-minute entry TTL almost every read of a random participant misses the cache,
                so GetScore is mostly the PostgreSQL path (score summed from the events, then written back to
                Redis).""", hits, misses, hits + misses == 0 ? 0 : 100.0 * misses / (hits + misses), population));
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
