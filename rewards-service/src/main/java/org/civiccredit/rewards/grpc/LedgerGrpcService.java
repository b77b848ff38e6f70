package org.civiccredit.rewards.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc;

/**
 * gRPC adapter of LedgerService: admins verify the double-entry ledger. Its RPCs land with issue #5; until then the generated
 * base class answers UNIMPLEMENTED, after the caller's token has been verified.
 */
@GrpcService
@Authenticated
public class LedgerGrpcService extends LedgerServiceGrpc.LedgerServiceImplBase {
}
