package org.civiccredit.scoring.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;

/**
 * gRPC adapter of ScoreService: participants read and stream their own score. Its RPCs land with issue #4; until then the generated
 * base class answers UNIMPLEMENTED, after the caller's token has been verified.
 */
@GrpcService
@Authenticated
public class ScoreGrpcService extends ScoreServiceGrpc.ScoreServiceImplBase {
}
