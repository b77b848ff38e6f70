package org.civiccredit.reports.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import org.civiccredit.api.reports.v1.GetTransparencyReportRequest;
import org.civiccredit.api.reports.v1.TransparencyReport;
import org.civiccredit.api.reports.v1.TransparencyServiceGrpc;
import org.civiccredit.reports.api.TransparencyApi;

/** gRPC adapter of TransparencyService: the public transparency report, for any authenticated caller. */
@GrpcService
@Authenticated
public class TransparencyGrpcService extends TransparencyServiceGrpc.TransparencyServiceImplBase {

    @Inject
    TransparencyApi api;

    @Override
    @Blocking
    public void getTransparencyReport(GetTransparencyReportRequest request,
            StreamObserver<TransparencyReport> response) {
        Replies.reply(response, api.report(request));
    }
}
