package org.civiccredit.rewards.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc;

/**
 * gRPC adapter of RewardsInternalService: scoring-service's outbox awards and reverses points. Its RPCs land with issue #5; until then the generated
 * base class answers UNIMPLEMENTED, after the caller's token has been verified.
 */
@GrpcService
@Authenticated
public class RewardsInternalGrpcService extends RewardsInternalServiceGrpc.RewardsInternalServiceImplBase {
}
