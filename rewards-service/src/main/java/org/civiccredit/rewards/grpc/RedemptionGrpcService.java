package org.civiccredit.rewards.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
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
import org.civiccredit.kit.grpc.WorkerCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.rewards.api.RewardsMapping;
import org.civiccredit.rewards.service.Redemptions;

/**
 * gRPC adapter of RedemptionService: a merchant reserves, captures and voids redemptions of its own offers.
 * Each call is idempotent by the merchant's key, in the same transaction as the change. Not {@code @Blocking}: a
 * merchant's point of sale makes these calls one after another, and each is handed to a worker thread once
 * ({@link WorkerCalls}), not once per event of the call as Quarkus hands a {@code @Blocking} one.
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

    @Inject
    WorkerCalls workers;

    @Override
    @RolesAllowed("merchant")
    public void reserveRedemption(ReserveRedemptionRequest request, StreamObserver<Redemption> response) {
        workers.reply(response, () -> {
            new Violations()
                    .require(!request.getRedeemToken().isEmpty(), "redeem_token", "required")
                    .require(!request.getOfferId().isEmpty(), "offer_id", "required")
                    .throwIfAny();
            String merchantId = merchantId();
            return idempotent.onceForCaller("ReserveRedemption", request.getIdempotencyKey(), request,
                    Redemption.parser(), () -> RewardsMapping.redemption(redemptions.reserve(merchantId,
                            request.getRedeemToken(), request.getOfferId(), Instant.now())));
        });
    }

    @Override
    @RolesAllowed("merchant")
    public void captureRedemption(CaptureRedemptionRequest request, StreamObserver<Redemption> response) {
        workers.reply(response, () -> {
            new Violations()
                    .require(!request.getRedemptionId().isEmpty(), "redemption_id", "required")
                    .require(request.getPoints() >= 0, "points", "0 (all held points) or more")
                    .throwIfAny();
            String merchantId = merchantId();
            return idempotent.onceForCaller("CaptureRedemption", request.getIdempotencyKey(), request,
                    Redemption.parser(), () -> RewardsMapping.redemption(redemptions.capture(merchantId,
                            request.getRedemptionId(), request.getPoints(), Instant.now())));
        });
    }

    @Override
    @RolesAllowed("merchant")
    public void voidRedemption(VoidRedemptionRequest request, StreamObserver<Redemption> response) {
        workers.reply(response, () -> {
            new Violations().require(!request.getRedemptionId().isEmpty(), "redemption_id", "required")
                    .throwIfAny();
            String merchantId = merchantId();
            return idempotent.onceForCaller("VoidRedemption", request.getIdempotencyKey(), request,
                    Redemption.parser(), () -> RewardsMapping.redemption(redemptions.voidHold(merchantId,
                            request.getRedemptionId(), Instant.now())));
        });
    }

    private String merchantId() {
        return caller.merchantId()
                .orElseThrow(() -> Refusal.permissionDenied("the merchant token carries no merchant_id"));
    }
}
