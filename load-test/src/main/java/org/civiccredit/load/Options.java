package org.civiccredit.load;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The driver's options, {@code --name value} on the command line; every one has a default fit for this
 * project's 2-core machine. See {@link #USAGE}.
 */
public final class Options {

    static final String USAGE = """
            usage: java -jar load-test.jar [--name value]...
              --scenarios score,intake,redemption,growth   which to run (default; in this order); each of the first
                                    three is preceded by the echo baseline of its service; "echo" adds all three first
              --seconds 25          length of each measured phase      --warmup 30  unmeasured warm-up before it
              --echo-seconds 15     length of each echo baseline phase
              --concurrency 64      sessions of the echo and GetScore closed loops
              --intake-concurrency 128   sessions of the intake closed loop (each waits for its report's live score)
              --merchants 64        concurrent merchant sessions      --participants 128   load participants (wallets)
              --participant-set ""  reuse load-participant-NNN (default; wallets and histories grow from run to run);
                                    "fresh": new participants for this run; any other NAME: the set load-NAME-NNN
              --contention-wallets 4   the small set of wallets        --redemptions 3000   tokens per redemption phase
              --score-readers 1000000  enrolled participants GetScore picks from
              --score-open-fractions 0.5  fractions of GetScore's maximum rate to measure open-loop (e.g. 0.5,0.25)
              --cache-fill-timeout 900   most seconds to wait for scoring-service's keeper to cache the readers
              --history-events 10000   one participant's history      --award-lots 2000   one wallet's open lots
              --table-reports 1000     ApplyReport calls per rule table in the table-size comparison
              --spending-pairs 200     Reserve + Capture pairs on one wallet from 20 + pairs lots, then from
                                       --award-lots lots
              --reports 127.0.0.1:8081 --scoring 127.0.0.1:8082 --rewards 127.0.0.1:8083
              --issuer http://127.0.0.1:8180/realms/civic-credit   --redis 127.0.0.1:6379
              --scoring-db jdbc:postgresql://127.0.0.1:5432/civic_scoring
                                       (also --reports-db, --rewards-db, --db-user, --db-password)
              --realm-file deploy/keycloak/civic-credit-realm.json  --demo-table deploy/demo/rule-table.json
              --pids reports=PID,scoring=PID,rewards=PID   service processes (RSS, JFR)
              --results load-test/results   --stem NAME   --commit SHA   --services-jdk TEXT
              --jfr true|cpu        record each service with JFR per phase: true with the JDK's "profile" settings,
                                    cpu with execution samples every millisecond and little else (a lighter load)
              --safepoint-logs DIR  where the JVMs' safepoint logs are (safepoints-PID.log; scripts/load.sh sets it)
            Every host must be a loopback address: the driver refuses any other.
            """;

    private static final Set<String> ALL = Set.of("echo", "score", "intake", "redemption", "growth");

    private final Map<String, String> values = new HashMap<>();

    public Options(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            values.put(args[i].substring(2), args[++i]);
        }
        scenarios().forEach(s -> {
            if (!ALL.contains(s)) {
                throw new IllegalArgumentException("unknown scenario " + s);
            }
        });
    }

    public List<String> scenarios() {
        return List.of(get("scenarios", "score,intake,redemption,growth").split(","));
    }

    public boolean runs(String scenario) {
        return scenarios().contains(scenario);
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback) {
        return Integer.parseInt(get(name, Integer.toString(fallback)));
    }

    public int seconds() {
        return integer("seconds", 25);
    }

    public int warmupSeconds() {
        return integer("warmup", 30);
    }

    public Path path(String name, String fallback) {
        return Path.of(get(name, fallback));
    }

    /** The service pids given with --pids (name=pid,...), in the order reports, scoring, rewards. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new java.util.LinkedHashMap<>();
        String spec = get("pids", "");
        Map<String, Long> given = new HashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0 && !part.substring(eq + 1).isBlank()) {
                given.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1).trim()));
            }
        }
        for (String name : List.of("reports", "scoring", "rewards")) {
            if (given.containsKey(name)) {
                pids.put(name, given.get(name));
            }
        }
        return pids;
    }
}
