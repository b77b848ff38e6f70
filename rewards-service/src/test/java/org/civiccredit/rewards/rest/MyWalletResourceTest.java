package org.civiccredit.rewards.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.rewards.rest.Problems.problem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc.WalletServiceBlockingStub;
import org.civiccredit.kit.rest.ProtoJson;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.ForgedTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.rewards.grpc.RewardsFixtures;
import org.civiccredit.rewards.grpc.RewardsFixtures.Enrolled;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/me/wallet: the caller's own wallet as the proto3 JSON of the gRPC answer, and a problem document
 * for every refusal (no or forged token, another role, malformed parameters, not enrolled).
 */
@QuarkusTest
class MyWalletResourceTest {

    private static final String PATH = "/api/v1/me/wallet";

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internal;

    @GrpcClient("self")
    WalletServiceBlockingStub wallet;

    @Inject
    Wallets wallets;

    @Test
    void answersTheCallersWalletAsTheGrpcCallDoes() {
        Enrolled pat = RewardsFixtures.enrolled(internal);
        String spendable = "report-" + UUID.randomUUID();
        String recent = "report-" + UUID.randomUUID();
        String expired = "report-" + UUID.randomUUID();
        Instant now = Instant.now();
        wallets.award(spendable, pat.participantId(), 40, "LIBRARY_SHIFT", 3, now.minus(Duration.ofDays(20)));
        wallets.award(recent, pat.participantId(), 15, "LITTER_PICK", 3, now);
        wallets.award(expired, pat.participantId(), 5, "LIBRARY_SHIFT", 3, now.minus(Duration.ofDays(400)));

        given().auth().oauth2(pat.token()).when().get(PATH).then()
                .statusCode(200)
                .contentType("application/json")
                .body("participantId", equalTo(pat.participantId()))
                .body("available", equalTo("40"))
                .body("pending", equalTo("15"))
                .body("held", equalTo("0"))
                .body("lots.reportId", org.hamcrest.Matchers.contains(spendable, recent))
                .body("lots[0].state", equalTo("LOT_STATE_AVAILABLE"))
                .body("lots[1].state", equalTo("LOT_STATE_PENDING"))
                // Both were posted by this read, which opened the wallet first (an award opens no other lot).
                .body("recentMovements.take(2).reason", org.hamcrest.Matchers.containsInAnyOrder(
                        "MOVEMENT_REASON_EXPIRY", "MOVEMENT_REASON_AWARD_AVAILABLE"))
                .body("asOf", not(emptyOrNullString()));

        given().auth().oauth2(pat.token()).queryParam("includeClosedLots", "true")
                .queryParam("recentMovementsLimit", "2").when().get(PATH).then()
                .statusCode(200)
                .body("lots.reportId", org.hamcrest.Matchers.containsInAnyOrder(spendable, recent, expired))
                .body("recentMovements", hasSize(2));

        String overHttp = given().auth().oauth2(pat.token()).queryParam("recentMovementsLimit", "50").when().get(PATH)
                .then().statusCode(200).extract().asString();
        String overGrpc = ProtoJson.print(BearerAuth.as(wallet, pat.token())
                .getWallet(GetWalletRequest.newBuilder().setRecentMovementsLimit(50).build()));
        assertThat(withoutAsOf(overHttp)).isEqualTo(withoutAsOf(overGrpc));
    }

    @Test
    void aMissingOrForgedTokenIsAnUnauthenticatedProblem() {
        problem(given().when().get(PATH).then(), 401, "UNAUTHENTICATED", PATH)
                .header("WWW-Authenticate", "Bearer");
        String real = DemoTokens.participantPat();
        for (String forged : new String[] { ForgedTokens.resignedWithForeignKey(real),
                ForgedTokens.withTamperedClaims(real), ForgedTokens.unsigned(real), "not-a-token" }) {
            problem(given().auth().oauth2(forged).when().get(PATH).then(), 401, "UNAUTHENTICATED", PATH);
        }
        problem(given().header("Authorization", "Basic cGF0OnBhdA==").when().get(PATH).then(), 401,
                "UNAUTHENTICATED", PATH);
    }

    @Test
    void otherRolesAreForbidden() {
        problem(given().auth().oauth2(DemoTokens.merchantCornerCafe()).when().get(PATH).then(), 403,
                "PERMISSION_DENIED", PATH);
        problem(given().auth().oauth2(DemoTokens.agencyGreenway()).when().get(PATH).then(), 403,
                "PERMISSION_DENIED", PATH);
    }

    @Test
    void malformedParametersAreInvalidRequestsNamingTheParameter() {
        Enrolled pat = RewardsFixtures.enrolled(internal);
        for (String limit : new String[] { "abc", "201", "-1", "1.5" }) {
            var answer = problem(given().auth().oauth2(pat.token()).queryParam("recentMovementsLimit", limit)
                    .when().get(PATH).then(), 400, "INVALID_ARGUMENT", PATH);
            assertThat(Problems.violatedFields(answer)).as("limit " + limit).singleElement()
                    .isIn((Object[]) Problems.namesOf("recent_movements_limit", "recentMovementsLimit"));
        }
        var answer = problem(given().auth().oauth2(pat.token()).queryParam("includeClosedLots", "sometimes")
                .when().get(PATH).then(), 400, "INVALID_ARGUMENT", PATH);
        assertThat(Problems.violatedFields(answer)).singleElement()
                .isIn((Object[]) Problems.namesOf("include_closed_lots", "includeClosedLots"));
    }

    @Test
    void aCallerNotEnrolledIsAConflict() {
        String stranger = TestParticipants.create().token();
        problem(given().auth().oauth2(stranger).when().get(PATH).then(), 409, "PARTICIPANT_NOT_ENROLLED", PATH);
    }

    /** The wallet's JSON without its {@code asOf}, which differs between two reads. */
    private static String withoutAsOf(String json) {
        return json.replaceAll("\"asOf\":\"[^\"]*\"", "");
    }
}
