package org.civiccredit.scoring.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc;

/**
 * gRPC adapter of ScoringInternalService: reports-service's outbox applies, freezes and reverses score events. Its RPCs land with issue #4; until then the generated
 * base class answers UNIMPLEMENTED, after the caller's token has been verified.
 */
@GrpcService
@Authenticated
public class ScoringInternalGrpcService extends ScoringInternalServiceGrpc.ScoringInternalServiceImplBase {
}
