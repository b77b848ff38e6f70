package org.civiccredit.reports.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc.ReportServiceBlockingStub;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.Occurred;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.reports.grpc.IntakeFixtures;
import org.civiccredit.reports.service.RuleCatalog;
import org.civiccredit.reports.standin.RewardsStandIn;
import org.civiccredit.reports.standin.ScoringStandIn;
import org.civiccredit.reports.standin.StandIn;
import org.junit.jupiter.api.Test;

/**
 * A participant exports everything held about them over HTTP: reports-service's part and, from scoring-service
 * and rewards-service (stood in for by real gRPC servers that verify this service's token), theirs — or nothing
 * at all when either cannot answer.
 */
@QuarkusTest
class MyExportResourceTest {

    private static final String EXPORT = "/api/v1/me/export";
    private static final int SCORING_TEST_PORT = 19082;
    private static final int REWARDS_TEST_PORT = 19083;

    @GrpcClient("self")
    ReportServiceBlockingStub reports;

    @GrpcClient("self")
    EnrollmentServiceBlockingStub enrollment;

    @GrpcClient("self")
    AgencyServiceBlockingStub agencies;

    @GrpcClient("scoring")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    Channel scoringChannel;

    /** The channel reports-service calls rewards-service on (the one carrying its service token). */
    @GrpcClient("rewards")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    Channel rewardsChannel;

    @Inject
    RuleCatalog catalog;

    private Report submitted(String participantId, int minutesAgo) {
        return BearerAuth.as(reports, DemoTokens.agencyGreenway()).submitReport(SubmitReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setParticipantId(participantId)
                .setRuleCode("FOOD_SORT").setOccurredAt(Timestamp.newBuilder()
                        .setSeconds(Occurred.ago(Duration.ofMinutes(minutesAgo)).getEpochSecond()))
                .setEvidenceRef("sha256:" + "ef".repeat(32)).build());
    }

    @Test
    void theExportHoldsEveryServicesPartWithTheReportsOldestFirst() {
        IntakeFixtures.ruleTable(catalog);
        IntakeFixtures.agencies(agencies);
        String[] participant = IntakeFixtures.enrolledParticipant(enrollment);
        Report older = submitted(participant[0], 40);
        Report newer = submitted(participant[0], 20);
        given().auth().oauth2(participant[1]).header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON).body("{\"statement\": \"not me\"}")
                .post("/api/v1/me/reports/" + newer.getReportId() + "/contest").then().statusCode(201);
        RewardsStandIn rewards = new RewardsStandIn();
        try (StandIn scoringStandIn = StandIn.start(SCORING_TEST_PORT, (ManagedChannel) scoringChannel,
                new ScoringStandIn());
                StandIn rewardsStandIn = StandIn.start(REWARDS_TEST_PORT, (ManagedChannel) rewardsChannel, rewards)) {
            given().auth().oauth2(participant[1]).get(EXPORT).then().statusCode(200).contentType(ContentType.JSON)
                    .body("enrollment.participantId", equalTo(participant[0]))
                    .body("reports.reportId", contains(older.getReportId(), newer.getReportId()))
                    .body("reports[1].contest.statement", equalTo("not me"))
                    .body("scoring.score.participantId", equalTo(participant[0]))
                    .body("scoring.score.score", equalTo(String.valueOf(ScoringStandIn.SCORE)))
                    .body("rewards.wallet.participantId", equalTo(participant[0]))
                    .body("rewards.wallet.available", equalTo(String.valueOf(RewardsStandIn.AVAILABLE)));
            assertThat(scoringStandIn.verifiedCallers()).contains("ExportParticipantData by reports-service");
            assertThat(rewardsStandIn.verifiedCallers()).contains("ExportParticipantData by reports-service");
        }
    }

    @Test
    void anExportThatCannotBeCompleteIsNotGivenAtAll() {
        String token = TestParticipants.create().token();
        Problems.problem(given().auth().oauth2(token).get(EXPORT).then(), 409, "PARTICIPANT_NOT_ENROLLED", EXPORT);
        given().auth().oauth2(token).header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON).body("{\"consentVersion\": 1}").post("/api/v1/me/enrollment").then()
                .statusCode(201);
        // Nothing listens where scoring-service and rewards-service would be.
        Problems.problem(given().auth().oauth2(token).get(EXPORT).then(), 503, "UNAVAILABLE", EXPORT);
    }
}
