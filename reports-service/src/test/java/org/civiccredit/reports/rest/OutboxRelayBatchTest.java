package org.civiccredit.reports.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.scoring.v1.RegisterParticipantRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantResponse;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc;
import org.civiccredit.kit.outbox.Outbox;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;
import org.civiccredit.reports.relay.OutboxKind;
import org.civiccredit.reports.standin.StandIn;
import org.junit.jupiter.api.Test;

/**
 * service-kit's outbox relay, on reports-service's real outbox and a stand-in scoring-service: it marks several
 * streams' rows in one transaction (one commit for many streams), and a stream whose delivery fails outright
 * holds back no other stream.
 */
@QuarkusTest
class OutboxRelayBatchTest {

    private static final int SCORING_TEST_PORT = 19082;

    /** Acknowledges every registration. */
    static final class Registrations extends ScoringInternalServiceGrpc.ScoringInternalServiceImplBase {
        @Override
        public void registerParticipant(RegisterParticipantRequest request,
                StreamObserver<RegisterParticipantResponse> response) {
            response.onNext(RegisterParticipantResponse.getDefaultInstance());
            response.onCompleted();
        }
    }

    @GrpcClient("scoring")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    Channel scoringChannel;

    @Inject
    Outbox outbox;

    @Inject
    AgroalDataSource db;

    private List<String> registrations(int n) {
        List<String> streams = new ArrayList<>();
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < n; i++) {
                String participant = UUID.randomUUID().toString();
                outbox.add("scoring", OutboxKind.SCORING_REGISTER_PARTICIPANT.name(), participant,
                        RegisterParticipantRequest.newBuilder().setIdempotencyKey("register-" + participant)
                                .setParticipantId(participant).build(), null);
                streams.add(participant);
            }
        });
        return streams;
    }

    /** The transaction ids that marked the streams' rows delivered; empty until all of them are delivered. */
    private Set<String> markingTransactions(List<String> streams) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Set<String> xids = new TreeSet<>();
            int delivered = 0;
            try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT xmin::text, delivered_at IS NOT NULL, outcome FROM outbox WHERE stream = ANY (?)")) {
                s.setArray(1, c.createArrayOf("varchar", streams.toArray()));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        if (r.getBoolean(2)) {
                            assertThat(r.getString(3)).isEqualTo("OK");
                            delivered++;
                            xids.add(r.getString(1));
                        }
                    }
                }
            }
            if (delivered == streams.size()) {
                return xids;
            }
            Thread.sleep(100);
        }
        return Set.of();
    }

    private long poisonRow(String stream) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO outbox (target, stream, kind, payload, created_at, next_attempt_at)
                VALUES ('scoring', ?, 'NOT_A_KIND', '\\x00'::bytea, now(), now()) RETURNING id""")) {
            s.setString(1, stream);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    @Test
    void manyStreamsAreMarkedDeliveredInFewTransactions() throws Exception {
        try (StandIn scoring = StandIn.start(SCORING_TEST_PORT, (ManagedChannel) scoringChannel, new Registrations())) {
            List<String> streams = registrations(32);
            Set<String> transactions = markingTransactions(streams);
            assertThat(transactions).as("transactions that marked 32 streams' rows delivered").isNotEmpty()
                    .hasSizeLessThanOrEqualTo(8);
        }
    }

    @Test
    void aStreamWhoseDeliveryFailsOutrightHoldsBackNoOtherStream() throws Exception {
        String poisoned = "poison-" + UUID.randomUUID();
        long poison = poisonRow(poisoned);
        try (StandIn scoring = StandIn.start(SCORING_TEST_PORT, (ManagedChannel) scoringChannel, new Registrations())) {
            List<String> streams = registrations(20);
            assertThat(markingTransactions(streams)).as("every other stream delivered").isNotEmpty();
            try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT delivered_at IS NULL FROM outbox WHERE id = ?")) {
                s.setLong(1, poison);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    assertThat(r.getBoolean(1)).as("the failing row stays pending").isTrue();
                }
            }
        } finally {
            try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                    "UPDATE outbox SET delivered_at = now(), outcome = 'CLOSED BY TEST' WHERE id = ?")) {
                s.setLong(1, poison);
                s.executeUpdate();
            }
        }
    }
}
