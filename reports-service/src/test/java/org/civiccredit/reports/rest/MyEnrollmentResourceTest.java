package org.civiccredit.reports.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.emptyOrNullString;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.junit.jupiter.api.Test;

/** A participant reads the consent text, enrols, reads their enrolment and withdraws over HTTP. */
@QuarkusTest
class MyEnrollmentResourceTest {

    private static final String ENROLLMENT = "/api/v1/me/enrollment";
    private static final String WITHDRAWAL = "/api/v1/me/enrollment/withdrawal";

    private static RequestSpecification as(String token) {
        return given().auth().oauth2(token);
    }

    private static RequestSpecification enrolling(String token, String key, String body) {
        return as(token).header("Idempotency-Key", key).contentType(ContentType.JSON).body(body);
    }

    @Test
    void theConsentTextIsReadableBeforeEnrollingAsProto3Json() {
        as(TestParticipants.create().token()).get("/api/v1/consent-text").then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("version", equalTo("1"))
                .body("language", equalTo("en"))
                .body("text", not(emptyOrNullString()))
                .body("publishedAt", not(emptyOrNullString()));
    }

    @Test
    void enrollingCreatesOnceAndAReplayOfTheSameKeyAnswersTheSameBody() {
        TestParticipants.TestUser person = TestParticipants.create();
        String key = UUID.randomUUID().toString();
        String first = enrolling(person.token(), key, "{\"consentVersion\": 1}").post(ENROLLMENT).then()
                .statusCode(201).header("Location", endsWith(ENROLLMENT))
                .contentType(ContentType.JSON)
                .body("created", equalTo(true))
                .body("enrollment.state", equalTo("ENROLLMENT_STATE_ENROLLED"))
                .body("enrollment.keycloakSubject", equalTo(person.userId()))
                .extract().asString();
        String replay = enrolling(person.token(), key, "{\"consentVersion\": 1}").post(ENROLLMENT).then()
                .statusCode(201).extract().asString();
        assertThat(replay).isEqualTo(first);

        String participantId = as(person.token()).get(ENROLLMENT).then().statusCode(200)
                .body("state", equalTo("ENROLLMENT_STATE_ENROLLED")).body("consentVersion", equalTo("1"))
                .extract().path("participantId");
        enrolling(person.token(), UUID.randomUUID().toString(), "{\"consentVersion\": 1}").post(ENROLLMENT).then()
                .statusCode(200).body("created", equalTo(false))
                .body("enrollment.participantId", equalTo(participantId));
    }

    @Test
    void theSameKeyWithAnotherBodyIsAConflict() {
        String token = TestParticipants.create().token();
        String key = UUID.randomUUID().toString();
        enrolling(token, key, "{\"consentVersion\": 1}").post(ENROLLMENT).then().statusCode(201);
        Problems.problem(enrolling(token, key, "{\"consentVersion\": 2}").post(ENROLLMENT).then(), 409,
                "ALREADY_EXISTS", ENROLLMENT);
    }

    @Test
    void aMissingIdempotencyKeyIsABadRequestNamingTheHeaderAndNothingIsStored() {
        String token = TestParticipants.create().token();
        Problems.problem(as(token).contentType(ContentType.JSON).body("{\"consentVersion\": 1}").post(ENROLLMENT)
                .then(), 400, "INVALID_ARGUMENT", ENROLLMENT)
                .body("violations.field", contains("Idempotency-Key"));
        Problems.problem(as(token).get(ENROLLMENT).then(), 404, "NOT_FOUND", ENROLLMENT);
        Problems.problem(as(token).post(WITHDRAWAL).then(), 400, "INVALID_ARGUMENT", WITHDRAWAL)
                .body("violations.field", contains("Idempotency-Key"));
    }

    @Test
    void badBodiesAreBadRequestsWithTheirFieldNamed() {
        String token = TestParticipants.create().token();
        Problems.problem(enrolling(token, UUID.randomUUID().toString(), "{}").post(ENROLLMENT).then(), 400,
                "INVALID_ARGUMENT", ENROLLMENT).body("violations.field", contains("consentVersion"));
        Problems.problem(enrolling(token, UUID.randomUUID().toString(), "{\"consentVersion\": ").post(ENROLLMENT)
                .then(), 400, "INVALID_ARGUMENT", ENROLLMENT).body("violations.field", contains("body"));
        Problems.problem(enrolling(token, UUID.randomUUID().toString(), "{\"consentVersion\": \"one\"}")
                .post(ENROLLMENT).then(), 400, "INVALID_ARGUMENT", ENROLLMENT)
                .body("violations.field", contains("body"));
        Problems.problem(as(token).header("Idempotency-Key", "k").contentType(ContentType.TEXT).body("1")
                .post(ENROLLMENT).then(), 415, "UNSUPPORTED_MEDIA_TYPE", ENROLLMENT);
        Problems.problem(as(token).get(ENROLLMENT).then(), 404, "NOT_FOUND", ENROLLMENT);
    }

    @Test
    void anOutdatedConsentIsAConflictWithItsReason() {
        String token = TestParticipants.create().token();
        Problems.problem(enrolling(token, UUID.randomUUID().toString(), "{\"consentVersion\": 999}")
                .post(ENROLLMENT).then(), 409, "CONSENT_VERSION_OUTDATED", ENROLLMENT);
    }

    @Test
    void withdrawingAnswersAReceiptAndTheEnrolmentIsGone() {
        TestParticipants.TestUser person = TestParticipants.create();
        enrolling(person.token(), UUID.randomUUID().toString(), "{\"consentVersion\": 1}").post(ENROLLMENT).then()
                .statusCode(201);
        as(person.token()).header("Idempotency-Key", UUID.randomUUID().toString()).post(WITHDRAWAL).then()
                .statusCode(200).contentType(ContentType.JSON)
                .body("wasEnrolled", equalTo(true)).body("withdrawnAt", not(emptyOrNullString()));
        Problems.problem(as(person.token()).get(ENROLLMENT).then(), 404, "NOT_FOUND", ENROLLMENT);
        as(person.token()).header("Idempotency-Key", UUID.randomUUID().toString()).post(WITHDRAWAL).then()
                .statusCode(200).body("wasEnrolled", equalTo(false));
    }

    @Test
    void onlyParticipantsMayEnrolAndAnyoneSignedInMayReadTheConsent() {
        Problems.problem(enrolling(DemoTokens.agencyGreenway(), UUID.randomUUID().toString(),
                "{\"consentVersion\": 1}").post(ENROLLMENT).then(), 403, "PERMISSION_DENIED", ENROLLMENT);
        Problems.problem(as(DemoTokens.reviewer()).get(ENROLLMENT).then(), 403, "PERMISSION_DENIED", ENROLLMENT);
        as(DemoTokens.agencyGreenway()).get("/api/v1/consent-text").then().statusCode(200);
    }

    @Test
    void unknownPathsAndMethodsAreProblemsToo() {
        String token = TestParticipants.create().token();
        Problems.problem(as(token).get("/api/v1/me/nothing-here").then(), 404, "NOT_FOUND",
                "/api/v1/me/nothing-here");
        Problems.problem(as(token).delete(ENROLLMENT).then(), 405, "METHOD_NOT_ALLOWED", ENROLLMENT)
                .body("violations", nullValue());
        as(token).get("/api/v1/consent-text").then().statusCode(200)
                .header("Content-Type", startsWith("application/json"));
    }
}
