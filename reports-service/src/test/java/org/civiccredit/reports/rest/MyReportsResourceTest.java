package org.civiccredit.reports.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import com.google.protobuf.Timestamp;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.ContestServiceGrpc.ContestServiceBlockingStub;
import org.civiccredit.api.reports.v1.DecideContestRequest;
import org.civiccredit.api.reports.v1.Decision;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc.ReportServiceBlockingStub;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.Occurred;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.reports.grpc.IntakeFixtures;
import org.civiccredit.reports.service.RuleCatalog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A participant lists the reports about them, contests one and follows the contest, over HTTP. */
@QuarkusTest
class MyReportsResourceTest {

    private static final String REPORTS = "/api/v1/me/reports";

    @GrpcClient("self")
    ReportServiceBlockingStub reports;

    @GrpcClient("self")
    EnrollmentServiceBlockingStub enrollment;

    @GrpcClient("self")
    AgencyServiceBlockingStub agencies;

    @GrpcClient("self")
    ContestServiceBlockingStub contests;

    @Inject
    RuleCatalog catalog;

    private String participantId;
    private String token;

    @BeforeEach
    void setUp() {
        IntakeFixtures.ruleTable(catalog);
        IntakeFixtures.agencies(agencies);
        String[] participant = IntakeFixtures.enrolledParticipant(enrollment);
        participantId = participant[0];
        token = participant[1];
    }

    private Report submitted(int minutesAgo) {
        return BearerAuth.as(reports, DemoTokens.agencyGreenway()).submitReport(SubmitReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setParticipantId(participantId)
                .setRuleCode("FOOD_SORT").setOccurredAt(Timestamp.newBuilder()
                        .setSeconds(Occurred.ago(Duration.ofMinutes(minutesAgo)).getEpochSecond()))
                .setEvidenceRef("sha256:" + "cd".repeat(32)).setNote("Sorted the Thursday delivery").build());
    }

    private RequestSpecification me() {
        return given().auth().oauth2(token);
    }

    private RequestSpecification contesting(String key, String body) {
        return me().header("Idempotency-Key", key).contentType(ContentType.JSON).body(body);
    }

    private static String contestPath(String reportId) {
        return REPORTS + "/" + reportId + "/contest";
    }

    @Test
    void theReportsAboutTheCallerComeNewestFirstPageByPageWithTheirProvenance() {
        Report oldest = submitted(30);
        Report middle = submitted(20);
        Report newest = submitted(10);
        var first = me().queryParam("pageSize", 2).get(REPORTS).then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("reports.reportId", contains(newest.getReportId(), middle.getReportId()))
                .body("reports[0].agencyId", equalTo("greenway-volunteers"))
                .body("reports[0].ruleTableVersion", equalTo(String.valueOf(IntakeFixtures.TABLE_VERSION)))
                .body("reports[0].evidenceRef", equalTo(newest.getEvidenceRef()))
                .body("reports[0].status", equalTo("REPORT_STATUS_ACCEPTED"))
                .body("nextPageToken", not(emptyOrNullString())).extract();
        me().queryParam("pageSize", 2).queryParam("pageToken", first.path("nextPageToken").toString())
                .get(REPORTS).then().statusCode(200)
                .body("reports.reportId", contains(oldest.getReportId()))
                .body("nextPageToken", equalTo(""));

        String[] other = IntakeFixtures.enrolledParticipant(enrollment);
        given().auth().oauth2(other[1]).get(REPORTS).then().statusCode(200).body("reports", empty());
    }

    @Test
    void badListParametersAreBadRequestsNamingTheParameter() {
        Problems.problem(me().queryParam("pageSize", "ten").get(REPORTS).then(), 400, "INVALID_ARGUMENT", REPORTS)
                .body("violations.field", contains("pageSize"));
        Problems.problem(me().queryParam("pageSize", -1).get(REPORTS).then(), 400, "INVALID_ARGUMENT", REPORTS)
                .body("violations.field", contains("pageSize"));
        Problems.problem(me().queryParam("pageToken", "forged").get(REPORTS).then(), 400, "INVALID_ARGUMENT",
                REPORTS).body("violations.field", contains("pageToken"));
        Problems.problem(me().queryParam("statuses", "REPORT_STATUS_SCORED").queryParam("statuses", "LOST")
                .get(REPORTS).then(), 400, "INVALID_ARGUMENT", REPORTS)
                .body("violations.field", contains("statuses[1]"));
        Problems.problem(given().auth().oauth2(TestParticipants.create().token()).get(REPORTS).then(), 409,
                "PARTICIPANT_NOT_ENROLLED", REPORTS);
    }

    @Test
    void contestingAReportFreezesItAndAReplayAnswersTheSameContest() {
        Report report = submitted(15);
        Report untouched = submitted(5);
        String key = UUID.randomUUID().toString();
        String body = "{\"statement\": \"I was at work in another city that day\"}";
        var created = contesting(key, body).post(contestPath(report.getReportId())).then().statusCode(201)
                .contentType(ContentType.JSON)
                .body("reportId", equalTo(report.getReportId()))
                .body("state", equalTo("CONTEST_STATE_OPEN"))
                .body("statement", equalTo("I was at work in another city that day"))
                .extract();
        String contestId = created.path("contestId");
        assertThat(created.header("Location")).endsWith("/api/v1/me/contests/" + contestId);
        String replay = contesting(key, body).post(contestPath(report.getReportId())).then().statusCode(201)
                .extract().asString();
        assertThat(replay).isEqualTo(created.asString());

        me().queryParam("statuses", "REPORT_STATUS_CONTESTED").get(REPORTS).then().statusCode(200)
                .body("reports.reportId", contains(report.getReportId()))
                .body("reports[0].contest.contestId", equalTo(contestId));
        me().queryParam("statuses", "REPORT_STATUS_ACCEPTED").get(REPORTS).then().statusCode(200)
                .body("reports.reportId", contains(untouched.getReportId()));

        Problems.problem(contesting(UUID.randomUUID().toString(), body).post(contestPath(report.getReportId()))
                .then(), 409, "REPORT_ALREADY_CONTESTED", contestPath(report.getReportId()));
        Problems.problem(contesting(key, "{\"statement\": \"something else\"}")
                .post(contestPath(report.getReportId())).then(), 409, "ALREADY_EXISTS",
                contestPath(report.getReportId()));
    }

    @Test
    void aContestNeedsAStatementAKeyAndJsonAndNothingIsStoredWithout() {
        Report report = submitted(15);
        String path = contestPath(report.getReportId());
        for (String body : List.of("{}", "{\"statement\": \"\"}", "{\"statement\": \"   \"}",
                "{\"statement\": \"" + "x".repeat(2001) + "\"}")) {
            Problems.problem(contesting(UUID.randomUUID().toString(), body).post(path).then(), 400,
                    "INVALID_ARGUMENT", path).body("violations.field", contains("statement"));
        }
        Problems.problem(me().header("Idempotency-Key", UUID.randomUUID().toString()).contentType(ContentType.JSON)
                .post(path).then(), 400, "INVALID_ARGUMENT", path).body("violations.field", contains("statement"));
        Problems.problem(contesting(UUID.randomUUID().toString(), "{\"statement\": \"unterminated").post(path)
                .then(), 400, "INVALID_ARGUMENT", path).body("violations.field", contains("body"));
        Problems.problem(contesting(UUID.randomUUID().toString(), "[\"a list\"]").post(path).then(), 400,
                "INVALID_ARGUMENT", path).body("violations.field", contains("body"));
        Problems.problem(me().contentType(ContentType.JSON).body("{\"statement\": \"no key\"}").post(path).then(),
                400, "INVALID_ARGUMENT", path).body("violations.field", contains("Idempotency-Key"));
        Problems.problem(me().header("Idempotency-Key", "k".repeat(129)).contentType(ContentType.JSON)
                .body("{\"statement\": \"long key\"}").post(path).then(), 400, "INVALID_ARGUMENT", path)
                .body("violations.field", contains("Idempotency-Key"));
        me().queryParam("statuses", "REPORT_STATUS_CONTESTED").get(REPORTS).then().statusCode(200)
                .body("reports", empty());
    }

    @Test
    void onlyTheCallersOwnReportsCanBeContested() {
        Report report = submitted(15);
        String[] other = IntakeFixtures.enrolledParticipant(enrollment);
        Problems.problem(given().auth().oauth2(other[1]).header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON).body("{\"statement\": \"not mine\"}")
                .post(contestPath(report.getReportId())).then(), 404, "NOT_FOUND", contestPath(report.getReportId()));
        String unknown = contestPath(UUID.randomUUID().toString());
        Problems.problem(contesting(UUID.randomUUID().toString(), "{\"statement\": \"what report?\"}").post(unknown)
                .then(), 404, "NOT_FOUND", unknown);
        String malformed = contestPath("not-an-id");
        Problems.problem(contesting(UUID.randomUUID().toString(), "{\"statement\": \"what report?\"}")
                .post(malformed).then(), 404, "NOT_FOUND", malformed);
    }

    @Test
    void theParticipantFollowsTheirContestToTheReviewersDecision() {
        Report report = submitted(15);
        String contestId = contesting(UUID.randomUUID().toString(), "{\"statement\": \"wrong person\"}")
                .post(contestPath(report.getReportId())).then().statusCode(201).extract().path("contestId");
        String path = "/api/v1/me/contests/" + contestId;
        me().get(path).then().statusCode(200).contentType(ContentType.JSON)
                .body("contest.state", equalTo("CONTEST_STATE_OPEN"))
                .body("contest.statement", equalTo("wrong person"))
                .body("report.reportId", equalTo(report.getReportId()))
                .body("report.status", equalTo("REPORT_STATUS_CONTESTED"));

        BearerAuth.as(contests, DemoTokens.reviewer()).decideContest(DecideContestRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setContestId(contestId)
                .setDecision(Decision.DECISION_OVERTURN).setReason("the rota shows another volunteer").build());
        me().get(path).then().statusCode(200)
                .body("contest.state", equalTo("CONTEST_STATE_OVERTURNED"))
                .body("contest.decisionReason", equalTo("the rota shows another volunteer"))
                .body("contest.decidedAt", not(emptyOrNullString()))
                .body("report.status", equalTo("REPORT_STATUS_OVERTURNED"));

        String[] other = IntakeFixtures.enrolledParticipant(enrollment);
        Problems.problem(given().auth().oauth2(other[1]).get(path).then(), 404, "NOT_FOUND", path);
        String unknown = "/api/v1/me/contests/" + UUID.randomUUID();
        Problems.problem(me().get(unknown).then(), 404, "NOT_FOUND", unknown);
        Problems.problem(me().get("/api/v1/me/contests/nonsense").then(), 404, "NOT_FOUND",
                "/api/v1/me/contests/nonsense");
        Problems.problem(given().auth().oauth2(DemoTokens.reviewer()).get(path).then(), 403, "PERMISSION_DENIED",
                path);
        me().get(REPORTS).then().body("reports", hasSize(1));
    }
}
