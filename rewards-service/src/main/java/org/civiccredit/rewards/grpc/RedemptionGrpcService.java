package org.civiccredit.rewards.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import org.civiccredit.api.rewards.v1.RedemptionServiceGrpc;

/**
 * gRPC adapter of RedemptionService: merchants reserve, capture and void redemptions. Its RPCs land with issue #5; until then the generated
 * base class answers UNIMPLEMENTED, after the caller's token has been verified.
 */
@GrpcService
@Authenticated
public class RedemptionGrpcService extends RedemptionServiceGrpc.RedemptionServiceImplBase {
}
