package org.civiccredit.reports.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import org.civiccredit.api.reports.v1.TransparencyServiceGrpc;

/**
 * gRPC adapter of TransparencyService: the public transparency report. Its RPCs land with issue #6; until then the generated
 * base class answers UNIMPLEMENTED, after the caller's token has been verified.
 */
@GrpcService
@Authenticated
public class TransparencyGrpcService extends TransparencyServiceGrpc.TransparencyServiceImplBase {
}
