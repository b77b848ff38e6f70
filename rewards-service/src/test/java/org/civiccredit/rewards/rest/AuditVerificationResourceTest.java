package org.civiccredit.rewards.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.rewards.rest.Problems.problem;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.rewards.grpc.AuditRows;
import org.civiccredit.rewards.grpc.RewardsFixtures;
import org.civiccredit.rewards.grpc.RewardsFixtures.TestMerchant;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/admin/audit/verification on rewards-service: an admin verifies the whole audit chain; an entry
 * altered in the database (its append-only trigger switched off, as only the database owner could) is reported
 * as the first broken link, with the entries before it still verified.
 */
@QuarkusTest
class AuditVerificationResourceTest {

    private static final String PATH = "/api/v1/admin/audit/verification";

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    @Inject
    DataSource db;

    private static JsonPath verify() {
        return given().auth().oauth2(DemoTokens.adminClient()).when().get(PATH).then().statusCode(200)
                .contentType("application/json").extract().jsonPath();
    }

    @Test
    void theChainVerifiesAndATamperedEntryIsTheFirstBrokenLink() {
        AuditRows audit = new AuditRows(db);
        TestMerchant cafe = RewardsFixtures.cornerCafe(merchants);
        List<AuditRows.Row> published = audit.appendedBy(() -> {
            for (int i = 0; i < 3; i++) {
                RewardsFixtures.publish(merchants, cafe, RewardsFixtures.offer(10 + i, 1));
            }
        });
        assertThat(published).extracting(AuditRows.Row::action).containsOnly("PublishOffer").hasSize(3);
        long tampered = published.get(1).seq();

        JsonPath intact = verify();
        assertThat(intact.getBoolean("intact")).isTrue();
        long position = audit.chainPosition(tampered);
        assertThat(intact.getLong("entriesVerified")).isGreaterThanOrEqualTo(audit.chainPosition(published.get(2).seq()));
        assertThat(audit.updateRefused(tampered)).as("the log refuses updates while its trigger is on").isTrue();

        String original = audit.overwriteRefs(tampered, "offer_id=" + UUID.randomUUID());
        try {
            JsonPath broken = verify();
            assertThat(broken.getBoolean("intact")).isFalse();
            assertThat(broken.getLong("firstBrokenSeq")).isEqualTo(tampered);
            assertThat(broken.getLong("entriesVerified")).isEqualTo(position - 1);
            assertThat(broken.getString("problem")).contains("altered");
        } finally {
            audit.overwriteRefs(tampered, original);
        }
        assertThat(verify().getBoolean("intact")).as("restored").isTrue();
    }

    @Test
    void onlyAdminsMayVerify() {
        problem(given().when().get(PATH).then(), 401, "UNAUTHENTICATED", PATH);
        problem(given().auth().oauth2(DemoTokens.participantPat()).when().get(PATH).then(), 403,
                "PERMISSION_DENIED", PATH);
        problem(given().auth().oauth2(DemoTokens.merchantCornerCafe()).when().get(PATH).then(), 403,
                "PERMISSION_DENIED", PATH);
    }
}
