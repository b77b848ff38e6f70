package org.civiccredit.reports.grpc;

import io.grpc.Channel;
import io.grpc.ServiceDescriptor;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.civiccredit.api.common.v1.EchoServiceGrpc;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc;
import org.civiccredit.api.reports.v1.ContestServiceGrpc;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc;
import org.civiccredit.api.reports.v1.ParticipantDataServiceGrpc;
import org.civiccredit.api.reports.v1.ReportServiceGrpc;
import org.civiccredit.api.reports.v1.TransparencyServiceGrpc;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TokenVerificationContract;

/** reports-service verifies Keycloak tokens on every RPC; registering an agency needs the admin role. */
@QuarkusTest
class ReportsTokenVerificationGrpcServiceTest extends TokenVerificationContract {

    @GrpcClient("self")
    Channel channel;

    @Override
    protected Channel channel() {
        return channel;
    }

    @Override
    protected ServiceDescriptor[] services() {
        return new ServiceDescriptor[] {AgencyServiceGrpc.getServiceDescriptor(),
            EnrollmentServiceGrpc.getServiceDescriptor(), ReportServiceGrpc.getServiceDescriptor(),
            ContestServiceGrpc.getServiceDescriptor(), ParticipantDataServiceGrpc.getServiceDescriptor(),
            TransparencyServiceGrpc.getServiceDescriptor(), EchoServiceGrpc.getServiceDescriptor()};
    }

    @Override
    protected void restrictedCall(String token) {
        BearerAuth.as(AgencyServiceGrpc.newBlockingStub(channel), token)
                .registerAgency(AgencyGrpcServiceTest.registration("auth-" + UUID.randomUUID()));
    }

    @Override
    protected String permittedToken() {
        return DemoTokens.adminClient();
    }

    @Override
    protected String wrongRoleToken() {
        return DemoTokens.agencyGreenway();
    }
}
