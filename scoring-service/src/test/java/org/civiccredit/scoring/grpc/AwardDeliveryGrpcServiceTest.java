package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.register;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.agroal.api.AgroalDataSource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.scoring.v1.ApplyReportBatchRequest;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.junit.jupiter.api.Test;

/**
 * The relay delivers the award rows to rewards-service (a stand-in on a free port, see {@link FakeRewards})
 * with scoring-service's own token, in the participant's order, retrying a refused call before the next; awards of
 * different participants that are due together go in one batched call (AwardPointsBatch).
 */
@QuarkusTest
@TestProfile(AwardDeliveryGrpcServiceTest.WithRewards.class)
class AwardDeliveryGrpcServiceTest {

    /** The service with its rewards client aimed at the stand-in. */
    public static class WithRewards implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeRewards.class));
        }
    }

    @GrpcClient("self")
    ScoringInternalServiceBlockingStub internalClient;

    @GrpcClient("self")
    RuleTableServiceBlockingStub ruleTables;

    @Inject
    AgroalDataSource db;

    @Test
    void awardFreezeAndReversalReachRewardsInOrderWithTheServiceToken() throws Exception {
        ScoringInternalServiceBlockingStub internal = BearerAuth.as(internalClient, DemoTokens.service());
        long version = ScoringFixtures.publishTestTable(ruleTables);
        String participant = register(internal, newId());
        ScoreEvent shift = internal.applyReport(report(version, participant, SHIFT, 0, daysAgo(1)));
        internal.freezeEvent(FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(shift.getReportId()).build());
        internal.reverseEvent(ReverseEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(shift.getReportId()).setReason("overturned on review")
                .setCause(ReversalCause.REVERSAL_CAUSE_CONTEST_OVERTURNED).build());

        List<FakeRewards.Call> calls = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (calls.size() < 4 && System.nanoTime() < deadline) {
            FakeRewards.Call call = FakeRewards.CALLS.poll(200, TimeUnit.MILLISECONDS);
            if (call != null && call.reportId().equals(shift.getReportId())) {
                calls.add(call);
            }
        }
        assertThat(calls).extracting(c -> c.rpc() + (c.acknowledged() ? "" : " (refused)")).containsExactly(
                "AwardPoints", "FreezeAward (refused)", "FreezeAward", "ReverseAward");
        JsonObject claims = claims(calls.get(0).token());
        assertThat(claims.getString("azp")).isEqualTo("scoring-service");
        assertThat(claims.getJsonObject("realm_access").getJsonArray("roles").getList()).contains("service");

        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT kind, outcome, attempts FROM outbox WHERE stream = ? ORDER BY id")) {
            s.setString(1, participant);
            List<String> rows = new ArrayList<>();
            long deadlineRows = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            do {
                rows.clear();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        rows.add(r.getString(1) + " " + r.getString(2) + " " + r.getInt(3));
                    }
                }
            } while (rows.stream().anyMatch(row -> row.contains(" null ")) && System.nanoTime() < deadlineRows);
            assertThat(rows).containsExactly("REWARDS_AWARD_POINTS OK 1", "REWARDS_FREEZE_AWARD OK 2",
                    "REWARDS_REVERSE_AWARD OK 1");
        }
    }

    @Test
    void awardsOfManyParticipantsTravelInBatchedCalls() throws Exception {
        ScoringInternalServiceBlockingStub internal = BearerAuth.as(internalClient, DemoTokens.service());
        long version = ScoringFixtures.publishTestTable(ruleTables);
        List<ApplyReportRequest> reports = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            reports.add(report(version, register(internal, newId()), SHIFT, 0, daysAgo(1)));
        }
        // One transaction writes the six award rows, so the relay finds them due together.
        internal.applyReportBatch(ApplyReportBatchRequest.newBuilder().setIdempotencyKey(newId())
                .addAllReports(reports).build());
        Set<String> mine = reports.stream().map(ApplyReportRequest::getReportId).collect(Collectors.toSet());

        Set<String> awarded = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (awarded.size() < mine.size() && System.nanoTime() < deadline) {
            FakeRewards.Call call = FakeRewards.CALLS.poll(200, TimeUnit.MILLISECONDS);
            if (call != null && mine.contains(call.reportId())) {
                assertThat(awarded.add(call.reportId())).as("each award delivered once").isTrue();
            }
        }
        assertThat(awarded).containsExactlyInAnyOrderElementsOf(mine);
        List<List<String>> batches = FakeRewards.BATCHES.stream()
                .filter(batch -> batch.stream().anyMatch(mine::contains)).toList();
        long batched = batches.stream().flatMap(List::stream).filter(mine::contains).count();
        assertThat(batches).as("batched calls that carried several of the six awards").anySatisfy(batch -> assertThat(
                batch.stream().filter(mine::contains).count()).isGreaterThan(1));
        assertThat(batches.size() + (mine.size() - batched)).as("calls that carried the six awards (6 without "
                + "batching; an award travels alone when no other is due in its relay transaction's round)")
                .isLessThan(6);
    }

    private static JsonObject claims(String token) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                StandardCharsets.UTF_8));
    }
}
