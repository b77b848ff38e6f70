package org.civiccredit.reports.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc;

/**
 * gRPC adapter of EnrollmentService: participants enroll with consent and withdraw. Its RPCs land with issue #3; until then the generated
 * base class answers UNIMPLEMENTED, after the caller's token has been verified.
 */
@GrpcService
@Authenticated
public class EnrollmentGrpcService extends EnrollmentServiceGrpc.EnrollmentServiceImplBase {
}
