package org.civiccredit.reports.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.ForgedTokens;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of reports-service's HTTP API verifies the bearer token as the gRPC API does, and answers a
 * problem document when it refuses: 401 without a token or with a forged, tampered or unsigned one, 403 for a
 * verified caller whose role may not call it.
 */
@QuarkusTest
class ParticipantApiAuthResourceTest {

    /** One endpoint: how to call it, and whether only participants may. */
    private record Endpoint(String method, String path, boolean participantsOnly) {

        ValidatableResponse call(RequestSpecification request) {
            RequestSpecification r = request.header("Idempotency-Key", UUID.randomUUID().toString());
            if (method.equals("POST")) {
                r = r.contentType(ContentType.JSON).body("{\"consentVersion\": 1, \"statement\": \"x\"}");
            }
            return r.request(method, path).then();
        }
    }

    private static final String SOME_ID = UUID.randomUUID().toString();
    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/v1/consent-text", false),
            new Endpoint("GET", "/api/v1/transparency", false),
            new Endpoint("POST", "/api/v1/me/enrollment", true),
            new Endpoint("GET", "/api/v1/me/enrollment", true),
            new Endpoint("POST", "/api/v1/me/enrollment/withdrawal", true),
            new Endpoint("GET", "/api/v1/me/reports", true),
            new Endpoint("POST", "/api/v1/me/reports/" + SOME_ID + "/contest", true),
            new Endpoint("GET", "/api/v1/me/contests/" + SOME_ID, true),
            new Endpoint("GET", "/api/v1/me/export", true));

    private static void everyEndpoint(Function<Endpoint, ValidatableResponse> call, int status, String reason,
            boolean participantsOnly) {
        for (Endpoint e : ENDPOINTS) {
            if (participantsOnly && !e.participantsOnly()) {
                continue;
            }
            Problems.problem(call.apply(e), status, reason, e.path());
        }
    }

    @Test
    void everyEndpointRefusesACallWithoutATokenWithAProblem() {
        everyEndpoint(e -> e.call(given()).header("WWW-Authenticate", equalTo("Bearer")), 401, "UNAUTHENTICATED",
                false);
    }

    @Test
    void everyEndpointRefusesForgedTamperedAndUnsignedTokens() {
        String real = DemoTokens.participantPat();
        for (String forged : List.of(ForgedTokens.resignedWithForeignKey(real), ForgedTokens.withTamperedClaims(real),
                ForgedTokens.unsigned(real), "not-a-token")) {
            everyEndpoint(e -> e.call(given().auth().oauth2(forged)), 401, "UNAUTHENTICATED", false);
        }
        everyEndpoint(e -> e.call(given().header("Authorization", "Basic cGF0OnBhdA==")), 401, "UNAUTHENTICATED",
                false);
    }

    @Test
    void participantEndpointsRefuseOtherRolesWithAProblem() {
        for (String token : List.of(DemoTokens.agencyGreenway(), DemoTokens.adminClient(), DemoTokens.service())) {
            everyEndpoint(e -> e.call(given().auth().oauth2(token)), 403, "PERMISSION_DENIED", true);
        }
    }

    @Test
    void theAuditVerificationIsForAdminsOnly() {
        String path = "/api/v1/admin/audit/verification";
        Problems.problem(given().auth().oauth2(DemoTokens.participantPat()).get(path).then(), 403,
                "PERMISSION_DENIED", path);
        Problems.problem(given().get(path).then(), 401, "UNAUTHENTICATED", path);
    }
}
