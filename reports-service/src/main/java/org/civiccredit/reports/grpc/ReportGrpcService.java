package org.civiccredit.reports.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import org.civiccredit.api.reports.v1.ReportServiceGrpc;

/**
 * gRPC adapter of ReportService: agencies submit, read, list and withdraw their reports. Its RPCs land with issue #3; until then the generated
 * base class answers UNIMPLEMENTED, after the caller's token has been verified.
 */
@GrpcService
@Authenticated
public class ReportGrpcService extends ReportServiceGrpc.ReportServiceImplBase {
}
