package org.civiccredit.scoring.relay;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.rewards.v1.AwardPointsBatchRequest;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.FreezeAwardRequest;
import org.civiccredit.api.rewards.v1.ReleaseAwardRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.kit.grpc.ItemBatches;
import org.civiccredit.kit.outbox.OutboxDelivery;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;

/** Delivers scoring-service's outbox rows to rewards-service, with scoring-service's own service token. */
@ApplicationScoped
public class ScoringOutboxDelivery implements OutboxDelivery {

    @Inject
    @GrpcClient("rewards")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    RewardsInternalServiceBlockingStub rewards;

    @Override
    public void deliver(String kind, byte[] payload) {
        RewardsInternalServiceBlockingStub rewards = this.rewards.withDeadlineAfter(5, TimeUnit.SECONDS);
        try {
            switch (OutboxKind.valueOf(kind)) {
                case REWARDS_AWARD_POINTS -> rewards.awardPoints(AwardPointsRequest.parseFrom(payload));
                case REWARDS_FREEZE_AWARD -> rewards.freezeAward(FreezeAwardRequest.parseFrom(payload));
                case REWARDS_RELEASE_AWARD -> rewards.releaseAward(ReleaseAwardRequest.parseFrom(payload));
                case REWARDS_REVERSE_AWARD -> rewards.reverseAward(ReverseAwardRequest.parseFrom(payload));
            }
        } catch (InvalidProtocolBufferException e) {
            throw Status.INTERNAL.withDescription("unreadable outbox payload").withCause(e).asRuntimeException();
        }
    }

    /** Awards of different participants go to rewards-service many in one AwardPointsBatch call. */
    @Override
    public boolean batches(String kind) {
        return OutboxKind.REWARDS_AWARD_POINTS.name().equals(kind);
    }

    @Override
    public List<StatusRuntimeException> deliverBatch(String kind, List<byte[]> payloads) {
        if (!batches(kind)) {
            return OutboxDelivery.super.deliverBatch(kind, payloads);
        }
        List<AwardPointsRequest> awards = ItemBatches.parse(payloads, AwardPointsRequest.parser());
        AwardPointsBatchRequest batch = AwardPointsBatchRequest.newBuilder().addAllAwards(awards)
                .setIdempotencyKey(OutboxDelivery.batchKey(awards.get(0).getIdempotencyKey(), awards.size())).build();
        return ItemBatches.outcomes(rewards.withDeadlineAfter(10, TimeUnit.SECONDS).awardPointsBatch(batch)
                .getResultsList(), r -> r.hasRefusal() ? r.getRefusal() : null);
    }
}
