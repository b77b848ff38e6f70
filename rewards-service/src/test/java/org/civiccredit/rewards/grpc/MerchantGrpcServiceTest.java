package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.civiccredit.api.rewards.v1.GetMerchantRequest;
import org.civiccredit.api.rewards.v1.Merchant;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.MerchantStatus;
import org.civiccredit.api.rewards.v1.RegisterMerchantRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.junit.jupiter.api.Test;

/** Administrators onboard merchants; a merchant reads only its own record. */
@QuarkusTest
class MerchantGrpcServiceTest {

    @GrpcClient("self")
    MerchantServiceBlockingStub merchants;

    static RegisterMerchantRequest registration(String merchantId, String clientId) {
        return RegisterMerchantRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setMerchantId(merchantId).setDisplayName("Corner Café").setKeycloakClientId(clientId).build();
    }

    @Test
    void anAdminRegistersAMerchantAndAReplayReturnsTheOriginal() {
        MerchantServiceBlockingStub admin = BearerAuth.as(merchants, DemoTokens.adminClient());
        String id = "shop-" + UUID.randomUUID();
        RegisterMerchantRequest request = registration(id, "client-" + id);
        Merchant registered = admin.registerMerchant(request);
        assertThat(registered.getStatus()).isEqualTo(MerchantStatus.MERCHANT_STATUS_ACTIVE);
        assertThat(admin.registerMerchant(request)).isEqualTo(registered);
        assertThat(admin.getMerchant(GetMerchantRequest.newBuilder().setMerchantId(id).build()))
                .isEqualTo(registered);
    }

    @Test
    void aMerchantReadsItsOwnRecordAndAnotherMerchantsDoesNotExistForIt() {
        MerchantServiceBlockingStub admin = BearerAuth.as(merchants, DemoTokens.adminClient());
        try {
            admin.registerMerchant(registration("corner-cafe", "merchant-corner-cafe"));
        } catch (StatusRuntimeException alreadyOnboarded) {
            assertThat(alreadyOnboarded.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        }
        String other = "shop-" + UUID.randomUUID();
        admin.registerMerchant(registration(other, "client-" + other));

        MerchantServiceBlockingStub cafe = BearerAuth.as(merchants, DemoTokens.merchantCornerCafe());
        assertThat(cafe.getMerchant(GetMerchantRequest.getDefaultInstance()).getMerchantId()).isEqualTo("corner-cafe");
        assertThatThrownBy(() -> cafe.getMerchant(GetMerchantRequest.newBuilder().setMerchantId(other).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void aParticipantCannotReadMerchants() {
        assertThatThrownBy(() -> BearerAuth.as(merchants, DemoTokens.participantPat())
                .getMerchant(GetMerchantRequest.newBuilder().setMerchantId("corner-cafe").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }
}
