package org.civiccredit.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The three packaged services, each started as its own process (as in production) on ports of its own, against
 * the real PostgreSQL, Redis and Keycloak, with the system tests' own databases and Redis index. Started once
 * per test JVM and stopped when the JVM's tests are done.
 */
public final class RunningSystem implements ExtensionContext.Store.CloseableResource {

    /** One service process (replaced when the service is restarted). */
    public record Service(String name, int port, Process process, Path log, ProcessBuilder launch) {
        public String target() {
            return "127.0.0.1:" + port;
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Map<String, Service> services = new LinkedHashMap<>();

    /** Names of the instances {@link #startAnother} added: once stopped, they are no longer part of the system. */
    private final Set<String> replicas = new HashSet<>();

    /** The system shared by every test class of this JVM. */
    public static RunningSystem get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(RunningSystem.class, k -> start(), RunningSystem.class);
    }

    public Service service(String name) {
        Service s = services.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no service " + name);
        }
        return s;
    }

    public List<Service> services() {
        return List.copyOf(services.values());
    }

    /** Port of reports-service; scoring and rewards take the next two (property systemtests.port-base). */
    static final int FIRST_PORT = Integer.getInteger("systemtests.port-base", 28080) + 1;

    /** Suffix of the services' database names (property systemtests.db-suffix). */
    static final String DB_SUFFIX = System.getProperty("systemtests.db-suffix", "_systest");

    /** JDBC URL of a service's database in this run. */
    static String dbUrl(String name) {
        return "jdbc:postgresql://127.0.0.1:5432/civic_" + name + DB_SUFFIX;
    }

    static RunningSystem start() {
        Path repo = Path.of(System.getProperty("systemtests.repo", "..")).toAbsolutePath().normalize();
        Path work = Path.of(System.getProperty("systemtests.work", "target/system")).toAbsolutePath();
        RunningSystem system = new RunningSystem();
        try {
            String scoringPort = String.valueOf(FIRST_PORT + 1);
            String rewardsPort = String.valueOf(FIRST_PORT + 2);
            system.launch("reports", FIRST_PORT, repo, work, Map.of("SCORING_GRPC_PORT", scoringPort,
                    "REWARDS_GRPC_PORT", rewardsPort, "INTAKE_RULE_CATALOG_REFRESH", "1s", "RELAY_EVERY", "0.1s"));
            system.launch("scoring", FIRST_PORT + 1, repo, work, Map.of("SCORING_REDIS_URL",
                    "redis://127.0.0.1:6379/2", "SCORING_LIVE_CHANNEL", "scoring" + DB_SUFFIX
                    + ":score-changes", "REWARDS_GRPC_PORT", rewardsPort,
                    "RELAY_EVERY", "0.1s"));
            system.launch("rewards", FIRST_PORT + 2, repo, work, Map.of("SCORING_GRPC_PORT", scoringPort));
            for (Service s : system.services.values()) {
                system.awaitReady(s);
            }
            return system;
        } catch (RuntimeException | Error e) {
            system.close();
            throw e;
        }
    }

    private void launch(String name, int port, Path repo, Path work, Map<String, String> extraEnv) {
        requireFree(port);
        Path built = repo.resolve(name + "-service/target/quarkus-app");
        if (!Files.isRegularFile(built.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(built + " has no quarkus-run.jar: package the services first");
        }
        Path app = work.resolve("apps").resolve(name);
        Path log = work.resolve("logs").resolve(name + ".log");
        copyTree(built, app);
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String prefix = name.toUpperCase();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx384m", "-jar", app.resolve("quarkus-run.jar").toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put(prefix + "_HTTP_PORT", String.valueOf(port));
        pb.environment().put(prefix + "_DB_URL", dbUrl(name));
        pb.environment().putAll(extraEnv);
        try {
            Files.createDirectories(log.getParent());
            services.put(name, new Service(name, port, pb.start(), log, pb));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private void awaitReady(Service s) {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        URI ready = URI.create("http://" + s.target() + "/q/health/ready");
        while (Instant.now().isBefore(deadline)) {
            if (!s.process().isAlive()) {
                throw new IllegalStateException(s.name() + " exited with " + s.process().exitValue() + ":\n"
                        + tail(s.log()));
            }
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(250);
        }
        throw new IllegalStateException(s.name() + " not ready within " + START_TIMEOUT + ":\n" + tail(s.log()));
    }

    /**
     * Starts one more instance of a running service, as another replica behind the same database, Redis and
     * channels, on a port of its own, and waits until it is ready. It is stopped with the others, or by
     * {@link #stop(String)} or {@link #kill(String)}, after which {@link #services()} no longer lists it.
     *
     * @param of   the service to replicate, e.g. {@code "scoring"}
     * @param name this instance's name, for {@link #service(String)}, {@link #stop(String)} and its log
     */
    public Service startAnother(String of, String name, int port) {
        Service original = service(of);
        requireFree(port);
        Path log = original.log().resolveSibling(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(original.launch().command()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().putAll(original.launch().environment());
        pb.environment().put(of.toUpperCase() + "_HTTP_PORT", String.valueOf(port));
        try {
            Files.deleteIfExists(log);
            Service another = new Service(name, port, pb.start(), log, pb);
            services.put(name, another);
            replicas.add(name);
            awaitReady(another);
            return another;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * Stops one service politely (SIGTERM) and waits for it to exit. A replica from {@link #startAnother} leaves
     * the system; one of the original services stays listed, to be {@link #restart(String) restarted}.
     */
    public void stop(String name) {
        Service s = service(name);
        s.process().destroy();
        try {
            if (!s.process().waitFor(20, TimeUnit.SECONDS)) {
                s.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            forgetReplica(name);
        }
    }

    private void forgetReplica(String name) {
        if (replicas.remove(name)) {
            services.remove(name);
        }
    }

    /** Kills one service at once (SIGKILL): no shutdown hooks, nothing flushed, as in a crash. */
    public void kill(String name) {
        Service s = service(name);
        try {
            s.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            forgetReplica(name);
        }
    }

    /** Starts a stopped service again with its original settings and waits until it is ready. */
    public void restart(String name) {
        Service old = service(name);
        if (old.process().isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        requireFree(old.port());
        try {
            Service fresh = new Service(name, old.port(), old.launch().start(), old.log(), old.launch());
            services.put(name, fresh);
            awaitReady(fresh);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart " + name, e);
        }
    }

    /** Stops the services: a polite SIGTERM first, then force. */
    @Override
    public void close() {
        for (Service s : services.values()) {
            s.process().destroy();
        }
        for (Service s : services.values()) {
            try {
                if (!s.process().waitFor(15, TimeUnit.SECONDS)) {
                    s.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.process().destroyForcibly();
            }
        }
    }

    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void requireFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is taken: the system tests need " + FIRST_PORT + "-" + (FIRST_PORT + 3)
                    + " free (or another -Dsystemtests.port-base)", e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try {
            if (Files.exists(to)) {
                try (Stream<Path> old = Files.walk(to)) {
                    old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            try (Stream<Path> files = Files.walk(from)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path dest = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
