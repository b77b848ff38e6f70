package org.civiccredit.rewards.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import org.civiccredit.api.rewards.v1.CaptureRedemptionRequest;
import org.civiccredit.api.rewards.v1.Redemption;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.VoidRedemptionRequest;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.rewards.api.RewardsMapping;
import org.civiccredit.rewards.service.Redemptions;

/**
 * gRPC adapter of RedemptionService: a merchant reserves, captures and voids redemptions of its own offers.
 * Each call is idempotent by the merchant's key, in the same transaction as the change.
 */
@GrpcService
@Authenticated
public class RedemptionGrpcService extends RedemptionServiceGrpc.RedemptionServiceImplBase {

    @Inject
    Redemptions redemptions;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    @Override
    @Blocking
    @RolesAllowed("merchant")
    public void reserveRedemption(ReserveRedemptionRequest request, StreamObserver<Redemption> response) {
        new Violations()
                .require(!request.getRedeemToken().isEmpty(), "redeem_token", "required")
                .require(!request.getOfferId().isEmpty(), "offer_id", "required")
                .throwIfAny();
        String merchantId = merchantId();
        response.onNext(idempotent.onceForCaller("ReserveRedemption", request.getIdempotencyKey(), request,
                Redemption.parser(), () -> RewardsMapping.redemption(redemptions.reserve(merchantId,
                        request.getRedeemToken(), request.getOfferId(), Instant.now()))));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("merchant")
    public void captureRedemption(CaptureRedemptionRequest request, StreamObserver<Redemption> response) {
        new Violations()
                .require(!request.getRedemptionId().isEmpty(), "redemption_id", "required")
                .require(request.getPoints() >= 0, "points", "0 (all held points) or more")
                .throwIfAny();
        String merchantId = merchantId();
        response.onNext(idempotent.onceForCaller("CaptureRedemption", request.getIdempotencyKey(), request,
                Redemption.parser(), () -> RewardsMapping.redemption(redemptions.capture(merchantId,
                        request.getRedemptionId(), request.getPoints(), Instant.now()))));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("merchant")
    public void voidRedemption(VoidRedemptionRequest request, StreamObserver<Redemption> response) {
        new Violations().require(!request.getRedemptionId().isEmpty(), "redemption_id", "required").throwIfAny();
        String merchantId = merchantId();
        response.onNext(idempotent.onceForCaller("VoidRedemption", request.getIdempotencyKey(), request,
                Redemption.parser(), () -> RewardsMapping.redemption(redemptions.voidHold(merchantId,
                        request.getRedemptionId(), Instant.now()))));
        response.onCompleted();
    }

    private String merchantId() {
        return caller.merchantId()
                .orElseThrow(() -> Refusal.permissionDenied("the merchant token carries no merchant_id"));
    }
}
