package org.civiccredit.rewards.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.rewards.rest.Problems.problem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc.RedemptionServiceBlockingStub;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc.WalletServiceBlockingStub;
import org.civiccredit.kit.rest.ProtoJson;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.ForgedTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.rewards.grpc.AuditRows;
import org.civiccredit.rewards.grpc.RewardsFixtures;
import org.civiccredit.rewards.grpc.RewardsFixtures.Enrolled;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * POST /api/v1/me/redeem-tokens: a one-time redeem token for the caller, idempotent by the Idempotency-Key header
 * on the same path as the gRPC call (a replay over either transport answers the same token), and a problem
 * document for every refusal.
 */
@QuarkusTest
class MyRedeemTokensResourceTest {

    private static final String PATH = "/api/v1/me/redeem-tokens";

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internal;

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @GrpcClient("self")
    WalletServiceBlockingStub wallet;

    @GrpcClient("self")
    RedemptionServiceBlockingStub redemption;

    @Inject
    Wallets wallets;

    @Inject
    DataSource db;

    private static RequestSpecification as(String token, String key) {
        RequestSpecification request = given().auth().oauth2(token).contentType(ContentType.JSON);
        return key == null ? request : request.header("Idempotency-Key", key);
    }

    private static String body(String offerId) {
        return "{\"offerId\":\"" + offerId + "\"}";
    }

    @Test
    void issuesATokenForAnOfferOncePerKeyThatAMerchantCanRedeem() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer offer = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(30, 10));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 100);
        String key = UUID.randomUUID().toString();
        AuditRows audit = new AuditRows(db);

        String[] first = new String[1];
        assertThat(audit.appendedBy(() -> first[0] = as(pat.token(), key).body(body(offer.getOfferId()))
                .when().post(PATH).then()
                .statusCode(201)
                .contentType("application/json")
                .body("token", not(emptyOrNullString()))
                .body("offerId", equalTo(offer.getOfferId()))
                .body("expiresAt", not(emptyOrNullString()))
                .extract().asString())).extracting(AuditRows.Row::action).contains("IssueRedeemToken");

        List<AuditRows.Row> replayed = audit.appendedBy(() -> assertThat(as(pat.token(), key)
                .body(body(offer.getOfferId())).when().post(PATH).then().statusCode(201).extract().asString())
                .as("a replay answers the same token").isEqualTo(first[0]));
        assertThat(replayed).isEmpty();
        // The key is the gRPC call's idempotency key too: the same request over gRPC is the same call.
        String overGrpc = ProtoJson.print(BearerAuth.as(wallet, pat.token()).issueRedeemToken(IssueRedeemTokenRequest
                .newBuilder().setIdempotencyKey(key).setOfferId(offer.getOfferId()).build()));
        assertThat(overGrpc).isEqualTo(first[0]);

        String token = io.restassured.path.json.JsonPath.from(first[0]).getString("token");
        var held = BearerAuth.as(redemption, cafe.token()).reserveRedemption(ReserveRedemptionRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setRedeemToken(token).setOfferId(offer.getOfferId())
                .build());
        assertThat(held.getPointsHeld()).isEqualTo(30);

        problem(as(pat.token(), key).body("{}").when().post(PATH).then(), 409, "ALREADY_EXISTS", PATH);
    }

    @Test
    void withoutAnOfferTheTokenIsForAnyOffer() {
        Enrolled pat = RewardsFixtures.enrolled(internal);
        as(pat.token(), UUID.randomUUID().toString()).body("{}").when().post(PATH).then()
                .statusCode(201)
                .body("token", not(emptyOrNullString()))
                .body("offerId", equalTo(""));
    }

    @Test
    void aMissingOrForgedTokenIsAnUnauthenticatedProblem() {
        problem(given().contentType(ContentType.JSON).header("Idempotency-Key", "k").body("{}").when().post(PATH)
                .then(), 401, "UNAUTHENTICATED", PATH).header("WWW-Authenticate", "Bearer");
        String forged = ForgedTokens.withTamperedClaims(DemoTokens.participantPat());
        problem(as(forged, "k").body("{}").when().post(PATH).then(), 401, "UNAUTHENTICATED", PATH);
    }

    @Test
    void otherRolesAreForbidden() {
        problem(as(DemoTokens.merchantCornerCafe(), "k").body("{}").when().post(PATH).then(), 403,
                "PERMISSION_DENIED", PATH);
        problem(as(DemoTokens.agencyNorthside(), "k").body("{}").when().post(PATH).then(), 403,
                "PERMISSION_DENIED", PATH);
    }

    @Test
    void badInputIsAnInvalidRequestNamingTheFieldAndStoresNothing() {
        Enrolled pat = RewardsFixtures.enrolled(internal);
        AuditRows audit = new AuditRows(db);
        long start = audit.last();

        var noKey = problem(as(pat.token(), null).body("{}").when().post(PATH).then(), 400, "INVALID_ARGUMENT",
                PATH);
        assertThat(Problems.violatedFields(noKey)).singleElement()
                .isIn((Object[]) Problems.namesOf("idempotency_key", "Idempotency-Key"));
        var longKey = problem(as(pat.token(), "k".repeat(129)).body("{}").when().post(PATH).then(), 400,
                "INVALID_ARGUMENT", PATH);
        assertThat(Problems.violatedFields(longKey)).singleElement()
                .isIn((Object[]) Problems.namesOf("idempotency_key", "Idempotency-Key"));

        String key = UUID.randomUUID().toString();
        var badOffer = problem(as(pat.token(), key).body(body("not-an-offer")).when().post(PATH).then(), 400,
                "INVALID_ARGUMENT", PATH);
        assertThat(Problems.violatedFields(badOffer)).singleElement()
                .isIn((Object[]) Problems.namesOf("offer_id", "offerId"));
        assertThat(audit.after(start)).as("refused requests change nothing").isEmpty();
        // The refused request left its key unused.
        as(pat.token(), key).body("{}").when().post(PATH).then().statusCode(201);
    }

    @Test
    void refusalsByStateAreConflictsWithTheirReason() {
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        Offer pricey = RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(500, 10));
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 100);
        problem(as(pat.token(), UUID.randomUUID().toString()).body(body(pricey.getOfferId())).when().post(PATH)
                .then(), 409, "INSUFFICIENT_POINTS", PATH);
        problem(as(pat.token(), UUID.randomUUID().toString()).body(body(UUID.randomUUID().toString())).when()
                .post(PATH).then(), 404, "NOT_FOUND", PATH);

        String stranger = TestParticipants.create().token();
        problem(as(stranger, UUID.randomUUID().toString()).body("{}").when().post(PATH).then(), 409,
                "PARTICIPANT_NOT_ENROLLED", PATH);
    }
}
