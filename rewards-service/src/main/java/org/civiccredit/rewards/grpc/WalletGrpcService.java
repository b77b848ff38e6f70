package org.civiccredit.rewards.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc;

/**
 * gRPC adapter of WalletService: participants read their wallet and issue redeem tokens. Its RPCs land with issue #5; until then the generated
 * base class answers UNIMPLEMENTED, after the caller's token has been verified.
 */
@GrpcService
@Authenticated
public class WalletGrpcService extends WalletServiceGrpc.WalletServiceImplBase {
}
