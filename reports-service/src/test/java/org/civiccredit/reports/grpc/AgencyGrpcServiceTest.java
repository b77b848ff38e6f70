package org.civiccredit.reports.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.reports.v1.Agency;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.AgencyStatus;
import org.civiccredit.api.reports.v1.GetAgencyRequest;
import org.civiccredit.api.reports.v1.RegisterAgencyRequest;
import org.civiccredit.api.reports.v1.ReinstateAgencyRequest;
import org.civiccredit.api.reports.v1.SuspendAgencyRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.junit.jupiter.api.Test;

/** Administrators register, read, suspend and reinstate agencies over gRPC with real tokens. */
@QuarkusTest
class AgencyGrpcServiceTest {

    @GrpcClient("self")
    AgencyServiceBlockingStub agencies;

    static RegisterAgencyRequest registration(String agencyId) {
        return RegisterAgencyRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setAgencyId(agencyId).setDisplayName("Riverside Library")
                .addAllowedCategories(ConductCategory.LEARNING)
                .addAllowedCategories(ConductCategory.COMMUNITY_IMPROVEMENT)
                .setKeycloakClientId("client-" + agencyId).build();
    }

    @Test
    void anAdminRegistersAnAgencyAndReadsItBack() {
        AgencyServiceBlockingStub admin = BearerAuth.as(agencies, DemoTokens.adminClient());
        String id = "lib-" + UUID.randomUUID();
        Agency registered = admin.registerAgency(registration(id));
        assertThat(registered.getStatus()).isEqualTo(AgencyStatus.AGENCY_STATUS_ACTIVE);
        assertThat(registered.getAllowedCategoriesList())
                .containsExactly(ConductCategory.COMMUNITY_IMPROVEMENT, ConductCategory.LEARNING);
        assertThat(admin.getAgency(GetAgencyRequest.newBuilder().setAgencyId(id).build())).isEqualTo(registered);
    }

    @Test
    void aReplayReturnsTheOriginalWhileASecondRegistrationOfTheSameIdIsRefused() {
        AgencyServiceBlockingStub admin = BearerAuth.as(agencies, DemoTokens.adminClient());
        RegisterAgencyRequest request = registration("lib-" + UUID.randomUUID());
        Agency first = admin.registerAgency(request);
        assertThat(admin.registerAgency(request)).isEqualTo(first);
        RegisterAgencyRequest again = request.toBuilder().setIdempotencyKey(UUID.randomUUID().toString()).build();
        assertThatThrownBy(() -> admin.registerAgency(again)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
    }

    @Test
    void malformedRegistrationsAreRefusedFieldByFieldAndNothingIsStored() {
        AgencyServiceBlockingStub admin = BearerAuth.as(agencies, DemoTokens.adminClient());
        String id = "lib-" + UUID.randomUUID();
        RegisterAgencyRequest bad = registration(id).toBuilder().setDisplayName("")
                .addAllowedCategories(ConductCategory.LEARNING)
                .addAllowedCategoriesValue(99).build();
        StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class, () -> admin.registerAgency(bad));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(StatusProto.fromThrowable(refused).getDetailsList().stream()
                .filter(d -> d.is(BadRequest.class)).findFirst().orElseThrow().toString())
                .contains("display_name", "allowed_categories[2]", "allowed_categories[3]");
        assertThatThrownBy(() -> admin.getAgency(GetAgencyRequest.newBuilder().setAgencyId(id).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void suspendingTwiceKeepsTheFirstReasonAndReinstatingLiftsIt() {
        AgencyServiceBlockingStub admin = BearerAuth.as(agencies, DemoTokens.adminClient());
        String id = "lib-" + UUID.randomUUID();
        admin.registerAgency(registration(id));
        Agency suspended = admin.suspendAgency(SuspendAgencyRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setAgencyId(id).setReason("quota pattern").build());
        Agency again = admin.suspendAgency(SuspendAgencyRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setAgencyId(id).setReason("other").build());
        assertThat(again.getSuspensionReason()).isEqualTo("quota pattern");
        assertThat(again).isEqualTo(suspended);
        Agency reinstated = admin.reinstateAgency(ReinstateAgencyRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setAgencyId(id).build());
        assertThat(reinstated.getStatus()).isEqualTo(AgencyStatus.AGENCY_STATUS_ACTIVE);
        assertThat(reinstated.getSuspensionReason()).isEmpty();
    }
}
