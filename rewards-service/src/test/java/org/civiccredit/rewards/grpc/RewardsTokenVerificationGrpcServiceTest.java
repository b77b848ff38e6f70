package org.civiccredit.rewards.grpc;

import io.grpc.Channel;
import io.grpc.ServiceDescriptor;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.civiccredit.api.common.v1.EchoServiceGrpc;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TokenVerificationContract;

/** rewards-service verifies Keycloak tokens on every RPC; onboarding a merchant needs the admin role. */
@QuarkusTest
class RewardsTokenVerificationGrpcServiceTest extends TokenVerificationContract {

    @GrpcClient("self")
    Channel channel;

    @Override
    protected Channel channel() {
        return channel;
    }

    @Override
    protected ServiceDescriptor[] services() {
        return new ServiceDescriptor[] {MerchantServiceGrpc.getServiceDescriptor(),
            WalletServiceGrpc.getServiceDescriptor(), RedemptionServiceGrpc.getServiceDescriptor(),
            RewardsInternalServiceGrpc.getServiceDescriptor(), LedgerServiceGrpc.getServiceDescriptor(),
            EchoServiceGrpc.getServiceDescriptor()};
    }

    @Override
    protected void restrictedCall(String token) {
        String id = "auth-" + UUID.randomUUID();
        BearerAuth.as(MerchantServiceGrpc.newBlockingStub(channel), token)
                .registerMerchant(MerchantGrpcServiceTest.registration(id, "client-" + id));
    }

    @Override
    protected String permittedToken() {
        return DemoTokens.adminClient();
    }

    @Override
    protected String wrongRoleToken() {
        return DemoTokens.merchantCornerCafe();
    }
}
