package org.civiccredit.reports.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.protobuf.StatusProto;
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
import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.ItemRefusal;
import org.civiccredit.api.scoring.v1.ApplyReportBatchRequest;
import org.civiccredit.api.scoring.v1.ApplyReportBatchResponse;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.ApplyReportResult;
import org.civiccredit.api.scoring.v1.RegisterParticipantRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantResponse;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc;
import org.civiccredit.kit.outbox.Outbox;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;
import org.civiccredit.kit.testing.LeastIncrease;
import org.civiccredit.reports.relay.OutboxKind;
import org.civiccredit.reports.standin.StandIn;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/**
 * service-kit's outbox relay, on reports-service's real outbox and a stand-in scoring-service: it marks several
 * streams' rows in one transaction (one commit for many streams), sends accepted reports of different participants
 * in batched calls (ApplyReportBatch) while each participant's reports keep their order, settles each batched
 * report by its own result, and a stream whose delivery fails outright holds back no other stream.
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

    /**
     * Takes accepted reports one at a time or in batches, remembering each call (the report ids it carried, in
     * order); answers a report whose id is in {@code refusals} with that refusal, as scoring-service would.
     */
    static class Reports extends ScoringInternalServiceGrpc.ScoringInternalServiceImplBase {
        /** Every call in arrival order, as the report ids it carried (a single call carries one). */
        final List<List<String>> calls = new CopyOnWriteArrayList<>();
        final List<List<String>> batchCalls = new CopyOnWriteArrayList<>();
        final List<String> singleCalls = new CopyOnWriteArrayList<>();
        final Map<String, com.google.rpc.Status> refusals = new ConcurrentHashMap<>();

        @Override
        public void applyReport(ApplyReportRequest request, StreamObserver<ScoreEvent> response) {
            singleCalls.add(request.getReportId());
            calls.add(List.of(request.getReportId()));
            com.google.rpc.Status refusal = refusals.get(request.getReportId());
            if (refusal != null) {
                response.onError(StatusProto.toStatusRuntimeException(refusal));
                return;
            }
            response.onNext(ScoreEvent.newBuilder().setReportId(request.getReportId()).build());
            response.onCompleted();
        }

        @Override
        public void applyReportBatch(ApplyReportBatchRequest request,
                StreamObserver<ApplyReportBatchResponse> response) {
            List<String> ids = request.getReportsList().stream().map(ApplyReportRequest::getReportId).toList();
            batchCalls.add(ids);
            calls.add(ids);
            ApplyReportBatchResponse.Builder answer = ApplyReportBatchResponse.newBuilder();
            for (ApplyReportRequest report : request.getReportsList()) {
                com.google.rpc.Status refusal = refusals.get(report.getReportId());
                answer.addResults(refusal == null
                        ? ApplyReportResult.newBuilder().setEvent(ScoreEvent.newBuilder()
                                .setReportId(report.getReportId()))
                        : ApplyReportResult.newBuilder().setRefusal(ItemRefusal.newBuilder()
                                .setCode(refusal.getCode()).setMessage(refusal.getMessage())
                                .addAllDetails(refusal.getDetailsList())));
            }
            response.onNext(answer.build());
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

    @Inject
    SessionFactory sessionFactory;

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

    /** Adds {@code perStream} accepted reports for each of {@code streams} new participants; their report ids. */
    private Map<String, List<String>> acceptedReports(int streams, int perStream) {
        Map<String, List<String>> reports = new LinkedHashMap<>();
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < streams; i++) {
                String participant = UUID.randomUUID().toString();
                List<String> ids = new ArrayList<>();
                for (int j = 0; j < perStream; j++) {
                    UUID reportId = UUID.randomUUID();
                    outbox.add("scoring", OutboxKind.SCORING_APPLY_REPORT.name(), participant,
                            ApplyReportRequest.newBuilder().setIdempotencyKey("apply-" + reportId)
                                    .setReportId(reportId.toString()).setParticipantId(participant).build(),
                            reportId);
                    ids.add(reportId.toString());
                }
                reports.put(participant, ids);
            }
        });
        return reports;
    }

    /** Each report's outbox row: outcome (null while pending), attempts and last error. */
    private Map<String, String[]> rowsOf(Collection<String> reportIds) throws SQLException {
        Map<String, String[]> rows = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT report_id::text, outcome, attempts, last_error FROM outbox WHERE report_id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("uuid", reportIds.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.put(r.getString(1), new String[] {r.getString(2), r.getString(3), r.getString(4)});
                }
            }
        }
        return rows;
    }

    private void awaitClosed(Collection<String> reportIds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (rowsOf(reportIds).values().stream().allMatch(row -> row[0] != null)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("outbox rows of " + reportIds + " still pending after 30 s: " + rowsOf(reportIds));
    }

    /**
     * Waits until the rows of {@code reportIds} are closed, checks that each was acknowledged, and returns the calls
     * the stand-in received that carried any of them.
     */
    private List<List<String>> callsThatDelivered(Reports scoring, List<String> reportIds) throws Exception {
        awaitClosed(reportIds);
        assertThat(rowsOf(reportIds).values()).allSatisfy(row -> assertThat(row[0]).isEqualTo("OK"));
        return scoring.calls.stream().filter(call -> call.stream().anyMatch(reportIds::contains)).toList();
    }

    private static com.google.rpc.Status refusal(String reason) {
        return com.google.rpc.Status.newBuilder().setCode(Code.FAILED_PRECONDITION_VALUE).setMessage(reason)
                .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain("civiccredit.org").setReason(reason).build()))
                .build();
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

    /** Registers {@code n} participants; their streams must be marked delivered in at most 8 transactions. */
    private void deliveredInFewTransactions(int n) {
        try {
            assertThat(markingTransactions(registrations(n))).as("transactions that marked " + n
                    + " streams' rows delivered").isNotEmpty().hasSizeLessThanOrEqualTo(8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
    void manyStreamsAreMarkedDeliveredInFewTransactionsAndFewStatements() throws Exception {
        try (StandIn scoring = StandIn.start(SCORING_TEST_PORT, (ManagedChannel) scoringChannel, new Registrations())) {
            Statistics statistics = sessionFactory.getStatistics();
            // The count is the whole service's: other background work (idle relay passes, the audit sealer) may
            // add to one try, so the least of three is taken. The 32 rows are written with one statement each;
            // everything else is the relay's (this test polls around Hibernate). Locking and loading each stream on
            // its own took two statements per stream, 64 here.
            int streams = 32;
            long delivering = LeastIncrease.of(3, statistics::getPrepareStatementCount, () -> streams,
                    this::deliveredInFewTransactions) - streams;
            System.out.println("statements the relay used to deliver 32 streams: " + delivering);
            assertThat(delivering).as("statements the relay used to deliver 32 streams").isLessThan(32);
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

    @Test
    void acceptedReportsOfManyParticipantsTravelInBatchedCallsEachParticipantInOrder() throws Exception {
        Reports scoring = new Reports();
        try (StandIn standIn = StandIn.start(SCORING_TEST_PORT, (ManagedChannel) scoringChannel, scoring)) {
            Map<String, List<String>> reports = acceptedReports(16, 3);
            List<String> all = reports.values().stream().flatMap(List::stream).toList();
            // A participant's report travels alone only when no other participant in its relay transaction has one
            // due in that round (the relay's groups also hold other tests' streams), so single calls may occur.
            List<List<String>> mine = callsThatDelivered(scoring, all);
            assertThat(mine).as("calls that carried the 48 reports of 16 participants (48 without batching)")
                    .hasSizeLessThanOrEqualTo(12);
            assertThat(mine).as("calls that carried several of them").anySatisfy(call -> assertThat(
                    call.stream().filter(all::contains).count()).isGreaterThan(1));
            List<String> received = mine.stream().flatMap(List::stream).filter(all::contains).toList();
            assertThat(received).as("every report exactly once").hasSameSizeAs(all).containsExactlyInAnyOrderElementsOf(all);
            for (List<String> call : mine) {
                assertThat(call.stream().map(id -> participantOf(reports, id)).distinct().count())
                        .as("no call carries two reports of one participant").isEqualTo(call.size());
            }
            for (List<String> ofOne : reports.values()) {
                assertThat(received.stream().filter(ofOne::contains).toList()).as("one participant's order")
                        .containsExactlyElementsOf(ofOne);
            }
        }
    }

    /**
     * The default number of streams per relay transaction: 64 participants' reports, due together, travel in one
     * ApplyReportBatch call (two if another test's stream joins their relay transaction). With 16 streams per
     * transaction they took four calls and four commits, and intake's CPU per report was 30-50 % higher
     * (docs/performance.md, twenty-second round).
     */
    @Test
    void sixtyFourParticipantsReportsDueTogetherTravelInOneCall() throws Exception {
        Reports scoring = new Reports();
        try (StandIn standIn = StandIn.start(SCORING_TEST_PORT, (ManagedChannel) scoringChannel, scoring)) {
            Map<String, List<String>> reports = acceptedReports(64, 1);
            List<String> all = reports.values().stream().flatMap(List::stream).toList();
            List<List<String>> mine = callsThatDelivered(scoring, all);
            assertThat(mine).as("calls that carried the reports of 64 participants due together")
                    .hasSizeLessThanOrEqualTo(2);
            assertThat(mine.stream().flatMap(List::stream).filter(all::contains).toList()).as("every report once")
                    .containsExactlyInAnyOrderElementsOf(all);
        }
    }

    @Test
    void aRefusedReportClosesOnlyItsRowAndOneToRetryHoldsBackOnlyItsOwnParticipant() throws Exception {
        Reports scoring = new Reports();
        Map<String, List<String>> reports = acceptedReports(6, 2);
        List<List<String>> streams = new ArrayList<>(reports.values());
        String refusedForGood = streams.get(1).get(0);
        String toRetry = streams.get(2).get(0);
        String behindTheRetry = streams.get(2).get(1);
        scoring.refusals.put(refusedForGood, refusal("RULE_VERSION_UNKNOWN"));
        scoring.refusals.put(toRetry, refusal("PARTICIPANT_NOT_REGISTERED"));
        List<String> others = reports.values().stream().flatMap(List::stream)
                .filter(id -> !id.equals(refusedForGood) && !id.equals(toRetry) && !id.equals(behindTheRetry))
                .toList();
        try (StandIn standIn = StandIn.start(SCORING_TEST_PORT, (ManagedChannel) scoringChannel, scoring)) {
            awaitClosed(others);
            awaitClosed(List.of(refusedForGood));
            Map<String, String[]> rows = rowsOf(reports.values().stream().flatMap(List::stream).toList());
            assertThat(others).allSatisfy(id -> assertThat(rows.get(id)[0]).isEqualTo("OK"));
            assertThat(rows.get(refusedForGood)[0]).isEqualTo("REFUSED FAILED_PRECONDITION RULE_VERSION_UNKNOWN");
            assertThat(rows.get(toRetry)[0]).as("to be retried").isNull();
            assertThat(rows.get(toRetry)[2]).contains("FAILED_PRECONDITION");
            assertThat(Integer.parseInt(rows.get(toRetry)[1])).isGreaterThanOrEqualTo(1);
            assertThat(rows.get(behindTheRetry)[0]).as("waits behind its participant's earlier report").isNull();
            assertThat(scoring.batchCalls.stream().flatMap(List::stream)).doesNotContain(behindTheRetry);
            assertThat(scoring.singleCalls).doesNotContain(behindTheRetry);
        } finally {
            try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                    "UPDATE outbox SET delivered_at = now(), outcome = 'CLOSED BY TEST' WHERE report_id = ANY (?) "
                            + "AND delivered_at IS NULL")) {
                s.setArray(1, c.createArrayOf("uuid", new Object[] {toRetry, behindTheRetry}));
                s.executeUpdate();
            }
        }
    }

    @Test
    void aReceiverThatDoesNotServeTheBatchedCallGetsTheReportsOneByOne() throws Exception {
        Reports scoring = new Reports() {
            @Override
            public void applyReportBatch(ApplyReportBatchRequest request,
                    StreamObserver<ApplyReportBatchResponse> response) {
                response.onError(io.grpc.Status.UNIMPLEMENTED.asRuntimeException());
            }
        };
        try (StandIn standIn = StandIn.start(SCORING_TEST_PORT, (ManagedChannel) scoringChannel, scoring)) {
            Map<String, List<String>> reports = acceptedReports(5, 2);
            List<String> all = reports.values().stream().flatMap(List::stream).toList();
            awaitClosed(all);
            assertThat(rowsOf(all).values()).allSatisfy(row -> assertThat(row[0]).isEqualTo("OK"));
            assertThat(scoring.singleCalls).containsAll(all);
        }
    }

    private static String participantOf(Map<String, List<String>> reports, String reportId) {
        return reports.entrySet().stream().filter(e -> e.getValue().contains(reportId)).findFirst().orElseThrow()
                .getKey();
    }
}
