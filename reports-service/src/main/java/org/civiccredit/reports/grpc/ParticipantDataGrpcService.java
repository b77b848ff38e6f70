package org.civiccredit.reports.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import org.civiccredit.api.reports.v1.ExportMyDataRequest;
import org.civiccredit.api.reports.v1.ExportMyDataResponse;
import org.civiccredit.api.reports.v1.ParticipantDataServiceGrpc;
import org.civiccredit.reports.api.ParticipantDataApi;

/** gRPC adapter of ParticipantDataService: everything held about the caller in every service, in one document. */
@GrpcService
@Authenticated
public class ParticipantDataGrpcService extends ParticipantDataServiceGrpc.ParticipantDataServiceImplBase {

    @Inject
    ParticipantDataApi api;

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void exportMyData(ExportMyDataRequest request, StreamObserver<ExportMyDataResponse> response) {
        Replies.reply(response, api.exportMyData());
    }
}
