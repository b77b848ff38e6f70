package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.UUID;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.ListRuleTableVersionsRequest;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.Tier;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.junit.jupiter.api.Test;

/** Publishing and reading rule tables over gRPC with real Keycloak tokens. */
@QuarkusTest
class RuleTableGrpcServiceTest {

    @GrpcClient("self")
    RuleTableServiceBlockingStub ruleTables;

    static Rule volunteering(String code) {
        return Rule.newBuilder().setCode(code).setCategory(ConductCategory.VOLUNTEERING)
                .setTitle("Volunteering shift").setDescription("An hour of volunteering for a partner agency")
                .setScoreDelta(5).setPerUnit(true).setUnitCap(8).setUnitName("hour").setAwardPoints(10)
                .setCapPerPeriod(80).setCapPeriod(CapPeriod.CAP_PERIOD_WEEK)
                .setCountsFor(Duration.newBuilder().setSeconds(365L * 24 * 3600)).build();
    }

    static PublishRuleTableRequest table(String key, Rule... rules) {
        return PublishRuleTableRequest.newBuilder().setIdempotencyKey(key).addAllRules(List.of(rules))
                .addTiers(Tier.newBuilder().setName("Bronze").setThreshold(50))
                .addTiers(Tier.newBuilder().setName("Silver").setThreshold(200))
                .setNotes("test table").build();
    }

    @Test
    void anAdminPublishesATableThatEveryRoleCanReadBack() {
        RuleTable published = BearerAuth.as(ruleTables, DemoTokens.adminClient())
                .publishRuleTable(table(UUID.randomUUID().toString(), volunteering("VOL_HOUR")));
        assertThat(published.getVersion()).isPositive();
        assertThat(published.getRulesList()).extracting(Rule::getCode).containsExactly("VOL_HOUR");

        RuleTable read = BearerAuth.as(ruleTables, DemoTokens.agencyGreenway())
                .getRuleTable(GetRuleTableRequest.newBuilder().setVersion(published.getVersion()).build());
        assertThat(read).isEqualTo(published);
        assertThat(read.getTiersList()).extracting(Tier::getName).containsExactly("Bronze", "Silver");
    }

    @Test
    void aReplayedKeyReturnsTheOriginalTableAndADifferentPayloadUnderItIsRefused() {
        String key = UUID.randomUUID().toString();
        RuleTableServiceBlockingStub admin = BearerAuth.as(ruleTables, DemoTokens.adminClient());
        RuleTable first = admin.publishRuleTable(table(key, volunteering("VOL_A")));
        RuleTable replay = admin.publishRuleTable(table(key, volunteering("VOL_A")));
        assertThat(replay).isEqualTo(first);

        assertThatThrownBy(() -> admin.publishRuleTable(table(key, volunteering("VOL_B"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
    }

    @Test
    void anInvalidTableIsRefusedNamingEachOffendingRuleAndNothingIsPublished() {
        RuleTableServiceBlockingStub admin = BearerAuth.as(ruleTables, DemoTokens.adminClient());
        long before = latestVersion(admin);
        Rule noCategory = volunteering("NO_CATEGORY").toBuilder()
                .setCategory(ConductCategory.CONDUCT_CATEGORY_UNSPECIFIED).build();
        Rule deductsOutsideConduct = volunteering("DEDUCTS").toBuilder().setScoreDelta(-5).setAwardPoints(0).build();
        Rule duplicate = volunteering("VOL_OK");
        // Not a protobuf Duration (java.time overflowed on it: INTERNAL), and one whose nanos have the other sign.
        Rule overflowingWindow = volunteering("VOL_OVERFLOW").toBuilder()
                .setCountsFor(Duration.newBuilder().setSeconds(Long.MIN_VALUE).setNanos(-1)).build();
        Rule mixedSignWindow = volunteering("VOL_MIXED").toBuilder()
                .setCountsFor(Duration.newBuilder().setSeconds(3600).setNanos(-1)).build();
        // Stored in whole seconds: half a second would have been stored as 0 (refused by the table's check: INTERNAL).
        Rule subSecondWindow = volunteering("VOL_HALF_SECOND").toBuilder()
                .setCountsFor(Duration.newBuilder().setNanos(500_000_000)).build();

        StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> admin.publishRuleTable(table(UUID.randomUUID().toString(), volunteering("VOL_OK"), noCategory,
                        deductsOutsideConduct, duplicate, overflowingWindow, mixedSignWindow, subSecondWindow)));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        BadRequest details = StatusProto.fromThrowable(refused).getDetailsList().stream()
                .filter(d -> d.is(BadRequest.class)).findFirst().map(d -> {
                    try {
                        return d.unpack(BadRequest.class);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).orElseThrow();
        assertThat(details.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField)
                .contains("rules[1].category", "rules[2].score_delta", "rules[3].code", "rules[4].counts_for",
                        "rules[5].counts_for", "rules[6].counts_for");
        assertThatThrownBy(() -> admin.publishRuleTable(table(UUID.randomUUID().toString(), subSecondWindow)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(latestVersion(admin)).isEqualTo(before);
    }

    @Test
    void aNegativeVersionIsInvalidAndAnUnknownOneIsNotFound() {
        RuleTableServiceBlockingStub reader = BearerAuth.as(ruleTables, DemoTokens.participantPat());
        assertThatThrownBy(() -> reader.getRuleTable(GetRuleTableRequest.newBuilder().setVersion(-1).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> reader.getRuleTable(GetRuleTableRequest.newBuilder()
                .setVersion(Long.MAX_VALUE).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    private static long latestVersion(RuleTableServiceBlockingStub stub) {
        var page = stub.listRuleTableVersions(ListRuleTableVersionsRequest.getDefaultInstance());
        return page.getVersionsCount() == 0 ? 0 : page.getVersions(0).getVersion();
    }
}
