package org.civiccredit.load;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import org.civiccredit.load.Targets.Service;

/**
 * The load run: checks that every target is on this machine, provisions what the scenarios need (load rule
 * tables, a million score readers, enrolled load participants), measures the echo baseline and the three
 * headline scenarios plus the cost-growth checks, and writes the results table (Markdown and CSV). Usually
 * started by {@code scripts/load.sh}, which starts the system first.
 */
public final class LoadTest {

    private LoadTest() {
    }

    public static void main(String[] args) throws Exception {
        DriverLogging.configure();
        Options options;
        try {
            options = new Options(args);
        } catch (IllegalArgumentException e) {
            System.err.println("load: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    static int run(Options o) throws Exception {
        Map<Service, String> addresses = Map.of(Service.REPORTS, o.get("reports", "127.0.0.1:8081"),
                Service.SCORING, o.get("scoring", "127.0.0.1:8082"),
                Service.REWARDS, o.get("rewards", "127.0.0.1:8083"));
        String redis = o.get("redis", "127.0.0.1:6379");
        String redisHost = Loopback.require(redis.substring(0, redis.lastIndexOf(':')));
        int redisPort = Integer.parseInt(redis.substring(redis.lastIndexOf(':') + 1));
        String scoringDb = Loopback.requireJdbc(o.get("scoring-db", "jdbc:postgresql://127.0.0.1:5432/civic_scoring"));
        String reportsDb = Loopback.requireJdbc(o.get("reports-db", "jdbc:postgresql://127.0.0.1:5432/civic_reports"));
        String rewardsDb = Loopback.requireJdbc(o.get("rewards-db", "jdbc:postgresql://127.0.0.1:5432/civic_rewards"));
        String dbUser = o.get("db-user", "civiccredit");
        String dbPassword = o.get("db-password", "civiccredit");
        Keycloak keycloak = new Keycloak(o.get("issuer", "http://127.0.0.1:8180/realms/civic-credit"),
                o.path("realm-file", "deploy/keycloak/civic-credit-realm.json"));

        String stem = o.get("stem", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm")));
        Path resultsDir = o.path("results", "load-test/results");
        String id = Long.toString(System.currentTimeMillis(), 36) + Integer.toString(
                ThreadLocalRandom.current().nextInt(1296), 36);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "load-scheduler");
            t.setDaemon(true);
            return t;
        });
        ResultsTable results = new ResultsTable();
        MachineFacts.record(results, o, scoringDb, dbUser, dbPassword, redisHost, redisPort);
        Autovacuum autovacuum = new Autovacuum(List.of(reportsDb, scoringDb, rewardsDb), dbUser, dbPassword);
        results.fact("autovacuum", autovacuum.fact());
        ProcessMemory memory = new ProcessMemory(o.pids(), scheduler);
        Profiler profiler = new Profiler(o.pids(), resultsDir.resolve(stem + "-jfr"),
                o.get("jfr", "false"));

        try (Targets targets = new Targets(addresses, 4);
                RedisWire redisInfo = new RedisWire(redisHost, redisPort);
                ScoreAnnouncements live = new ScoreAnnouncements(redisHost, redisPort,
                        o.get("score-channel", "scoring:score-changes"))) {
            Clients clients = new Clients(keycloak, targets, scheduler);
            Run run = new Run(o, clients, memory, profiler, new DatabaseWaits(scoringDb, dbUser, dbPassword, scheduler),
                    autovacuum, results, id);
            say("publishing the load rule tables");
            LoadRuleTables.Versions tables = LoadRuleTables.publish(clients.ruleTablesAsAdmin(),
                    o.path("demo-table", "deploy/demo/rule-table.json"));
            results.fact("rule tables", "small v" + tables.small() + " (5 rules), large v" + tables.large() + " ("
                    + tables.largeRuleCount() + " rules, current)");
            List<LoadParticipants.Participant> participants = List.of();
            if (o.runs("intake") || o.runs("redemption")) {
                say("preparing " + o.integer("participants", 128) + " load participants (Keycloak users, enrolment)");
                String set = o.get("participant-set", "");
                participants = LoadParticipants.prepare(keycloak, clients, o.integer("participants", 128),
                        set.equals("fresh") ? "run-" + id : set);
                results.fact("load participants", set.isEmpty()
                        ? "reused from earlier runs (load-participant-NNN): wallets and histories carry over"
                        : "set " + (set.equals("fresh") ? "run-" + id + " (new for this run)" : set));
            }
            if (o.runs("score")) {
                long population = o.integer("score-readers", 1_000_000);
                say("provisioning " + population + " score readers in scoring-service's database (set-based SQL)");
                long started = System.nanoTime();
                long added = Provisioning.ensureScoreReaders(scoringDb, dbUser, dbPassword, population);
                results.fact("score readers", population + " (" + added + " added by this run in "
                        + (System.nanoTime() - started) / 1_000_000_000 + " s)");
                // Before any measurement: the keeper's cold fill would compete with the echo baseline.
                say("waiting for scoring-service's keeper to cache the score readers");
                ScoreReads.awaitCompleteCache(run, redisInfo, population);
                say("waiting for scoring-service's near cache to hold the score readers");
                ScoreReads.awaitWarmNearCache(run, population);
            }
            if (o.runs("echo")) {
                say("echo baseline");
                EchoBaseline.run(run);
            }
            if (o.runs("score")) {
                say("scenario: GetScore");
                EchoBaseline.before(run, Service.SCORING, "GetScore");
                ScoreReads.run(run, redisInfo);
                EchoBaseline.after(run, Service.SCORING, "GetScore");
            }
            if (o.runs("intake")) {
                say("scenario: intake");
                EchoBaseline.before(run, Service.REPORTS, "SubmitReport");
                Intake.run(run, participants, live, tables.syntheticRules());
                EchoBaseline.after(run, Service.REPORTS, "SubmitReport");
            }
            if (o.runs("redemption")) {
                awaitOutboxesDrained(reportsDb, scoringDb, dbUser, dbPassword);
                say("scenario: redemption");
                EchoBaseline.before(run, Service.REWARDS, "Reserve + Capture");
                new Redemptions(run, participants, tables.large()).run();
                EchoBaseline.after(run, Service.REWARDS, "Reserve + Capture");
            }
            if (o.runs("growth")) {
                say("scenario: cost growth (history, rule table, open lots)");
                LoadParticipants.Participant spender = LoadParticipants.prepare(keycloak, clients, 1,
                        "growth-" + id).get(0);
                new CostGrowth(run, tables, spender).run();
            }
            run.addDatabaseWaits();
            run.addCompilerShares();
            run.addTailCauses();
        }
        results.fact("finished", LocalDateTime.now().toString());
        results.write(resultsDir, stem);
        say("results: " + resultsDir.resolve(stem + ".md") + " and .csv");
        System.out.println();
        System.out.println(results.markdown());
        return 0;
    }

    /**
     * Waits until the reports and scoring outboxes have delivered everything (awards from the intake scenario
     * still on their way would change the wallets under the redemption checks), then two seconds for lots to
     * become available.
     */
    static void awaitOutboxesDrained(String reportsDb, String scoringDb, String user, String password)
            throws Exception {
        say("waiting for the outboxes to drain");
        long until = System.nanoTime() + 300_000_000_000L;
        for (String db : List.of(reportsDb, scoringDb)) {
            try (Connection c = DriverManager.getConnection(db, user, password)) {
                while (Provisioning.single(c, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL "
                        + "AND next_attempt_at < now() + interval '1 minute'") > 0) {
                    if (System.nanoTime() - until > 0) {
                        throw new IllegalStateException("the outbox of " + db + " did not drain within 5 minutes");
                    }
                    Thread.sleep(500);
                }
            }
        }
        Thread.sleep(2_000);
    }

    static void say(String message) {
        System.out.printf(Locale.ROOT, "load: %s%n", message);
    }
}
