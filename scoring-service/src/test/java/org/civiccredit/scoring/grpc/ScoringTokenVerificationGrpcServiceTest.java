package org.civiccredit.scoring.grpc;

import io.grpc.Channel;
import io.grpc.ServiceDescriptor;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.civiccredit.api.common.v1.EchoServiceGrpc;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TokenVerificationContract;

/** scoring-service verifies Keycloak tokens on every RPC; publishing a rule table needs the admin role. */
@QuarkusTest
class ScoringTokenVerificationGrpcServiceTest extends TokenVerificationContract {

    @GrpcClient("self")
    Channel channel;

    @Override
    protected Channel channel() {
        return channel;
    }

    @Override
    protected ServiceDescriptor[] services() {
        return new ServiceDescriptor[] {RuleTableServiceGrpc.getServiceDescriptor(),
            ScoreServiceGrpc.getServiceDescriptor(), ScoringInternalServiceGrpc.getServiceDescriptor(),
            EchoServiceGrpc.getServiceDescriptor()};
    }

    @Override
    protected void restrictedCall(String token) {
        BearerAuth.as(RuleTableServiceGrpc.newBlockingStub(channel), token)
                .publishRuleTable(RuleTableGrpcServiceTest.table(UUID.randomUUID().toString(),
                        RuleTableGrpcServiceTest.volunteering("VOL_AUTH")));
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
