package org.civiccredit.rewards.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import org.civiccredit.api.rewards.v1.EraseParticipantRequest;
import org.civiccredit.api.rewards.v1.EraseParticipantResponse;
import org.civiccredit.api.rewards.v1.RegisterParticipantRequest;
import org.civiccredit.api.rewards.v1.RegisterParticipantResponse;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc;
import org.civiccredit.rewards.service.Participants;

/**
 * gRPC adapter of RewardsInternalService, called by the other services' outbox relays (role service).
 * Participant registration and erasure are built; awards and their reversal land with issue #5 and answer
 * UNIMPLEMENTED until then. Both calls are idempotent on participant_id.
 */
@GrpcService
@Authenticated
public class RewardsInternalGrpcService extends RewardsInternalServiceGrpc.RewardsInternalServiceImplBase {

    @Inject
    Participants participants;

    @Override
    @Blocking
    @RolesAllowed("service")
    public void registerParticipant(RegisterParticipantRequest request,
            StreamObserver<RegisterParticipantResponse> response) {
        participants.register(request.getParticipantId(), request.getKeycloakSubject());
        response.onNext(RegisterParticipantResponse.newBuilder().setParticipantId(request.getParticipantId()).build());
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void eraseParticipant(EraseParticipantRequest request, StreamObserver<EraseParticipantResponse> response) {
        participants.erase(request.getParticipantId());
        // No wallet exists yet (issue #5): nothing to forfeit, no holds to void.
        response.onNext(EraseParticipantResponse.getDefaultInstance());
        response.onCompleted();
    }
}
