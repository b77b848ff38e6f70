package org.civiccredit.rewards.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.civiccredit.api.rewards.v1.GetMerchantRequest;
import org.civiccredit.api.rewards.v1.Merchant;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc;
import org.civiccredit.api.rewards.v1.MerchantStatus;
import org.civiccredit.api.rewards.v1.RegisterMerchantRequest;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.rewards.service.Merchants;

/**
 * gRPC adapter of MerchantService: administrators onboard merchants; a merchant reads its own record.
 * Suspension, offers, redemption lists and settlement statements land with issue #5 and answer UNIMPLEMENTED.
 */
@GrpcService
@Authenticated
public class MerchantGrpcService extends MerchantServiceGrpc.MerchantServiceImplBase {

    @Inject
    Merchants merchants;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    @Override
    @Blocking
    @RolesAllowed("admin")
    @Transactional
    public void registerMerchant(RegisterMerchantRequest request, StreamObserver<Merchant> response) {
        response.onNext(idempotent.onceForCaller("RegisterMerchant", request.getIdempotencyKey(),
                request, Merchant.parser(), () -> toProto(merchants.register(request.getMerchantId(),
                        request.getDisplayName(), request.getKeycloakClientId()))));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed({"admin", "merchant"})
    public void getMerchant(GetMerchantRequest request, StreamObserver<Merchant> response) {
        String merchantId = request.getMerchantId();
        if (!caller.hasRole("admin")) {
            String own = caller.merchantId()
                    .orElseThrow(() -> Refusal.permissionDenied("the merchant token carries no merchant_id"));
            if (!merchantId.isEmpty() && !merchantId.equals(own)) {
                // Another merchant's record does not exist as far as this caller can tell.
                throw Refusal.notFound("no merchant " + merchantId);
            }
            merchantId = own;
        } else if (merchantId.isEmpty()) {
            throw Refusal.invalid("merchant_id", "required");
        }
        response.onNext(toProto(merchants.get(merchantId)));
        response.onCompleted();
    }

    static Merchant toProto(org.civiccredit.rewards.domain.Merchant m) {
        Merchant.Builder b = Merchant.newBuilder()
                .setMerchantId(m.merchantId())
                .setDisplayName(m.displayName())
                .setKeycloakClientId(m.keycloakClientId())
                .setStatus(m.suspended() ? MerchantStatus.MERCHANT_STATUS_SUSPENDED
                        : MerchantStatus.MERCHANT_STATUS_ACTIVE)
                .setCreatedAt(ProtoTime.timestamp(m.createdAt()));
        if (m.suspended()) {
            b.setSuspensionReason(m.suspensionReason()).setSuspendedAt(ProtoTime.timestamp(m.suspendedAt()));
        }
        return b.build();
    }
}
