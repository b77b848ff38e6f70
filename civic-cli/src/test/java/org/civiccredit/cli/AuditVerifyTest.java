package org.civiccredit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@code civic audit verify} prints and returns for the answers a service's verification endpoint gives. */
class AuditVerifyTest {

    private HttpServer server;
    private final Map<String, String> answers = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicReference<String> authorization = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/admin/audit/verification", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            String body = answers.get(String.valueOf(exchange.getLocalAddress().getPort()));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body.startsWith("{") ? 200 : 403, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private int verify(String answer, ByteArrayOutputStream printed) {
        answers.put(String.valueOf(server.getAddress().getPort()), answer);
        return AuditVerify.run(List.of("reports"), "the-token", target(), Map.of(),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @Test
    void anIntactChainPrintsItsLengthAndLastHashAndSucceeds() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = verify("{\"entriesVerified\":42,\"intact\":true,\"firstBrokenSeq\":0,\"problem\":\"\","
                + "\"lastGoodHash\":\"ab12\"}", printed);
        assertThat(status).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo(
                "reports: intact, 42 entries, last hash ab12" + System.lineSeparator());
        assertThat(authorization.get()).isEqualTo("Bearer the-token");
    }

    @Test
    void aBrokenChainNamesTheFirstBrokenEntryAndFails() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = verify("{\"entriesVerified\":6,\"intact\":false,\"firstBrokenSeq\":7,"
                + "\"problem\":\"its content does not match its hash (the entry was altered)\","
                + "\"lastGoodHash\":\"cd34\"}", printed);
        assertThat(status).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("reports: BROKEN at entry 7: its content "
                + "does not match its hash (the entry was altered) (6 entries before it verify");
    }

    @Test
    void aRefusalOrAnUnreachableServiceFails() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        assertThat(verify("forbidden", printed)).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("cannot verify: HTTP 403");
        ByteArrayOutputStream unreachable = new ByteArrayOutputStream();
        assertThat(AuditVerify.run(List.of("scoring"), "t", null, Map.of("scoring", "127.0.0.1:1"),
                new PrintStream(unreachable, true, StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(unreachable.toString(StandardCharsets.UTF_8)).contains("scoring: cannot verify: 127.0.0.1:1 unreachable");
    }
}
