package org.civiccredit.scoring.rest;

import static io.restassured.RestAssured.given;
import static org.civiccredit.scoring.grpc.ScoringFixtures.MISSED;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.ForgedTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.scoring.grpc.ScoringFixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The participant's score over HTTP with real tokens: the same answers as ScoreService in proto3 JSON, and an
 * RFC 9457 problem document for every refusal (401 without a valid token, 403 for other roles, 400 naming each
 * bad parameter, 409 for a caller who is not a registered participant).
 */
@QuarkusTest
class MyScoreResourceTest {

    private static final String SCORE = "/api/v1/me/score";
    private static final String BREAKDOWN = "/api/v1/me/score/breakdown";
    private static final String PROBLEM_JSON = "application/problem+json";

    @GrpcClient("self")
    ScoringInternalServiceBlockingStub internalClient;

    @GrpcClient("self")
    RuleTableServiceBlockingStub ruleTables;

    ScoringInternalServiceBlockingStub internal;
    long version;

    @BeforeEach
    void setUp() {
        internal = BearerAuth.as(internalClient, DemoTokens.service());
        version = ScoringFixtures.publishTestTable(ruleTables);
    }

    @Test
    void theParticipantReadsTheirScoreAndPagesThroughTheEntriesBehindIt() {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);
        ApplyReportRequest hours = report(version, pat.participantId(), VOL, 3, daysAgo(3));
        internal.applyReport(hours);
        ApplyReportRequest shift = report(version, pat.participantId(), SHIFT, 0, daysAgo(2));
        internal.applyReport(shift);
        ApplyReportRequest missed = report(version, pat.participantId(), MISSED, 0, daysAgo(1));
        internal.applyReport(missed);
        internal.freezeEvent(FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(missed.getReportId()).build());

        as(pat.token()).get(SCORE).then().statusCode(200).contentType("application/json")
                .body("participantId", equalTo(pat.participantId()))
                .body("score", equalTo("25"), "version", equalTo("5"))
                .body("nextTierName", equalTo("Bronze"), "pointsToNextTier", equalTo("25"))
                .body("asOf", notNullValue());

        String next = as(pat.token()).queryParam("pageSize", 2).get(BREAKDOWN).then().statusCode(200)
                .contentType("application/json")
                .body("score.score", equalTo("25"))
                .body("entries.reportId", contains(missed.getReportId(), shift.getReportId()))
                .body("entries[0].status", equalTo("EVENT_STATUS_FROZEN"))
                .body("entries[0].ruleCode", equalTo(MISSED))
                .body("entries[0].delta", equalTo("-10"))
                .body("entries[0].evidenceRef", equalTo(missed.getEvidenceRef()))
                .body("entries[0].ruleTableVersion", equalTo(String.valueOf(version)))
                .body("entries[0].agencyId", equalTo("greenway-volunteers"))
                .body("nextPageToken", not(emptyString()))
                .extract().path("nextPageToken");
        as(pat.token()).queryParam("pageSize", 2).queryParam("pageToken", next).get(BREAKDOWN).then()
                .statusCode(200)
                .body("entries.reportId", contains(hours.getReportId()))
                .body("entries[0].countedUnits", equalTo(3))
                .body("nextPageToken", equalTo(""));

        as(pat.token()).queryParam("status", "FROZEN").get(BREAKDOWN).then().statusCode(200)
                .body("entries.reportId", contains(missed.getReportId()));
        as(pat.token()).queryParam("status", "COUNTING,EVENT_STATUS_REVERSED").get(BREAKDOWN).then().statusCode(200)
                .body("entries.reportId", contains(shift.getReportId(), hours.getReportId()));
        as(pat.token()).queryParam("status", "COUNTING").queryParam("pageToken", next).get(BREAKDOWN).then()
                .statusCode(400).contentType(PROBLEM_JSON)
                .body("violations.field", contains("pageToken"));
    }

    @Test
    void withoutAValidTokenTheAnswerIsA401Problem() {
        String pat = DemoTokens.participantPat();
        for (String path : new String[] {SCORE, BREAKDOWN}) {
            problem(given().get(path), 401, "unauthenticated", "Unauthenticated", path)
                    .header("WWW-Authenticate", containsString("Bearer"));
            problem(as(ForgedTokens.resignedWithForeignKey(pat)).get(path), 401, "unauthenticated",
                    "Unauthenticated", path);
            problem(as(ForgedTokens.withTamperedClaims(pat)).get(path), 401, "unauthenticated", "Unauthenticated",
                    path);
            problem(given().header("Authorization", "Bearer not-a-token").get(path), 401, "unauthenticated",
                    "Unauthenticated", path);
        }
    }

    @Test
    void anotherRoleGetsA403Problem() {
        for (String token : new String[] {DemoTokens.agencyGreenway(), DemoTokens.service(), DemoTokens.adminUser()}) {
            for (String path : new String[] {SCORE, BREAKDOWN}) {
                problem(as(token).get(path), 403, "permission-denied", "Forbidden", path)
                        .body("reason", equalTo("PERMISSION_DENIED"));
            }
        }
    }

    @Test
    void badPagingOrStatusGetsA400ProblemNamingEachParameter() {
        ScoringFixtures.Enrolled pat = ScoringFixtures.enrol(internal);

        problem(as(pat.token()).queryParam("pageSize", "ten").queryParam("status", "COUNTING")
                .queryParam("status", "BOGUS").queryParam("pageToken", "not-a-token").get(BREAKDOWN), 400,
                "invalid-argument", "Invalid request", BREAKDOWN)
                .body("reason", equalTo("INVALID_ARGUMENT"))
                .body("violations", hasSize(3))
                .body("violations.field", contains("pageSize", "status", "pageToken"))
                .body("violations[1].description", containsString("'BOGUS'"));
        problem(as(pat.token()).queryParam("pageSize", -1).get(BREAKDOWN), 400, "invalid-argument",
                "Invalid request", BREAKDOWN)
                .body("violations.field", contains("pageSize"));
        problem(as(pat.token()).queryParam("status", "UNSPECIFIED").get(BREAKDOWN), 400, "invalid-argument",
                "Invalid request", BREAKDOWN)
                .body("violations.field", contains("status"));
    }

    @Test
    void aParticipantNotRegisteredHereGetsA409Problem() {
        String unregistered = TestParticipants.create().token();
        for (String path : new String[] {SCORE, BREAKDOWN}) {
            problem(as(unregistered).get(path), 409, "participant-not-enrolled", "Not possible in the current state",
                    path)
                    .body("reason", equalTo("PARTICIPANT_NOT_ENROLLED"));
        }
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    /** Checks the members every problem document has; returns the answer for more checks. */
    static ValidatableResponse problem(io.restassured.response.Response answer, int status, String type,
            String title, String path) {
        return answer.then().statusCode(status).contentType(PROBLEM_JSON)
                .body("type", equalTo("https://civic-credit.org/problems/" + type))
                .body("title", equalTo(title))
                .body("status", equalTo(status))
                .body("detail", not(emptyString()))
                .body("instance", equalTo(path));
    }
}
