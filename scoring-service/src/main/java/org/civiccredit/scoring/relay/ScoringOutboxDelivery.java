package org.civiccredit.scoring.relay;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.FreezeAwardRequest;
import org.civiccredit.api.rewards.v1.ReleaseAwardRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
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
}
