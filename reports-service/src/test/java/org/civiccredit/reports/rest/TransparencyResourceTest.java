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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.ReportServiceGrpc.ReportServiceBlockingStub;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.Occurred;
import org.civiccredit.reports.grpc.IntakeFixtures;
import org.civiccredit.reports.service.RuleCatalog;
import org.civiccredit.reports.standin.RewardsStandIn;
import org.civiccredit.reports.standin.StandIn;
import org.junit.jupiter.api.Test;

/** The transparency report over HTTP, for any signed-in caller, by whole UTC days from {@code from} to {@code to}. */
@QuarkusTest
class TransparencyResourceTest {

    private static final String TRANSPARENCY = "/api/v1/transparency";
    private static final int REWARDS_TEST_PORT = 19083;

    @GrpcClient("self")
    ReportServiceBlockingStub reports;

    @GrpcClient("self")
    EnrollmentServiceBlockingStub enrollment;

    @GrpcClient("self")
    AgencyServiceBlockingStub agencies;

    @GrpcClient("rewards")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    Channel rewardsChannel;

    @Inject
    RuleCatalog catalog;

    @Test
    void todaysReportCountsTheReportsAcceptedTodayForAnyRole() {
        IntakeFixtures.ruleTable(catalog);
        IntakeFixtures.agencies(agencies);
        String participantId = IntakeFixtures.enrolledParticipant(enrollment)[0];
        for (int i = 0; i < 5; i++) {
            BearerAuth.as(reports, DemoTokens.agencyNorthside()).submitReport(SubmitReportRequest.newBuilder()
                    .setIdempotencyKey(UUID.randomUUID().toString()).setParticipantId(participantId)
                    .setRuleCode("FOOD_SORT").setOccurredAt(Timestamp.newBuilder()
                            .setSeconds(Occurred.ago(Duration.ofMinutes(1)).getEpochSecond()))
                    .setEvidenceRef("sha256:" + "56".repeat(32)).build());
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        RewardsStandIn rewards = new RewardsStandIn();
        rewards.answerTotals(500, 0, 0, 0);
        try (StandIn standIn = StandIn.start(REWARDS_TEST_PORT, (ManagedChannel) rewardsChannel, rewards)) {
            for (String token : new String[] {DemoTokens.participantPat(), DemoTokens.merchantCornerCafe()}) {
                var report = given().auth().oauth2(token).queryParam("from", today.toString())
                        .queryParam("to", today.plusDays(1).toString()).get(TRANSPARENCY).then().statusCode(200)
                        .contentType(ContentType.JSON)
                        .body("period.start", equalTo(today + "T00:00:00Z"))
                        .body("period.end", equalTo(today.plusDays(1) + "T00:00:00Z"))
                        .body("suppressionThreshold", equalTo("5"))
                        .body("pointsIssued.value", equalTo("500"))
                        .extract();
                Map<String, Object> northside = report.path(
                        "reportsByAgency.find { it.agencyId == 'northside-food-bank' }.reports");
                assertThat(northside.get("suppressed")).isEqualTo(false);
                assertThat(Long.parseLong((String) northside.get("value"))).isGreaterThanOrEqualTo(5);
            }
        }
    }

    @Test
    void datesAreRequiredWellFormedAndInOrder() {
        String token = DemoTokens.participantPat();
        Problems.problem(given().auth().oauth2(token).get(TRANSPARENCY).then(), 400, "INVALID_ARGUMENT",
                TRANSPARENCY).body("violations.field", contains("from", "to"));
        Problems.problem(given().auth().oauth2(token).queryParam("from", "2026-13-01").queryParam("to", "2026-12-02")
                .get(TRANSPARENCY).then(), 400, "INVALID_ARGUMENT", TRANSPARENCY)
                .body("violations.field", contains("from"));
        Problems.problem(given().auth().oauth2(token).queryParam("from", "2026-02-02").queryParam("to", "2026-02-01")
                .get(TRANSPARENCY).then(), 400, "INVALID_ARGUMENT", TRANSPARENCY)
                .body("violations.field", contains("period"));
        Problems.problem(given().auth().oauth2(token).queryParam("from", "2020-01-01").queryParam("to", "2026-01-01")
                .get(TRANSPARENCY).then(), 400, "INVALID_ARGUMENT", TRANSPARENCY)
                .body("violations.field", contains("period"));
    }

    @Test
    void withoutRewardsServiceTheAnswerIsServiceUnavailable() {
        // Nothing listens where rewards-service would be.
        Problems.problem(given().auth().oauth2(DemoTokens.participantPat()).queryParam("from", "2026-01-01")
                .queryParam("to", "2026-01-02").get(TRANSPARENCY).then(), 503, "UNAVAILABLE", TRANSPARENCY);
    }
}
