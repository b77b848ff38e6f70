package org.civiccredit.reports.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import org.civiccredit.api.reports.v1.Contest;
import org.civiccredit.api.reports.v1.ContestCase;
import org.civiccredit.api.reports.v1.ContestReportRequest;
import org.civiccredit.api.reports.v1.ContestServiceGrpc;
import org.civiccredit.api.reports.v1.DecideContestRequest;
import org.civiccredit.api.reports.v1.GetContestRequest;
import org.civiccredit.api.reports.v1.ListMyReportsRequest;
import org.civiccredit.api.reports.v1.ListMyReportsResponse;
import org.civiccredit.api.reports.v1.ListOpenContestsRequest;
import org.civiccredit.api.reports.v1.ListOpenContestsResponse;
import org.civiccredit.reports.api.ContestApi;

/** gRPC adapter of ContestService: participants see and contest reports about them; reviewers decide. */
@GrpcService
@Authenticated
public class ContestGrpcService extends ContestServiceGrpc.ContestServiceImplBase {

    @Inject
    ContestApi api;

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void listMyReports(ListMyReportsRequest request, StreamObserver<ListMyReportsResponse> response) {
        Replies.reply(response, api.listMyReports(request));
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void contestReport(ContestReportRequest request, StreamObserver<Contest> response) {
        Replies.reply(response, api.contestReport(request));
    }

    @Override
    @Blocking
    @RolesAllowed({"participant", "reviewer"})
    public void getContest(GetContestRequest request, StreamObserver<ContestCase> response) {
        Replies.reply(response, api.getContest(request));
    }

    @Override
    @Blocking
    @RolesAllowed("reviewer")
    public void listOpenContests(ListOpenContestsRequest request, StreamObserver<ListOpenContestsResponse> response) {
        Replies.reply(response, api.listOpenContests(request));
    }

    @Override
    @Blocking
    @RolesAllowed("reviewer")
    public void decideContest(DecideContestRequest request, StreamObserver<ContestCase> response) {
        Replies.reply(response, api.decideContest(request));
    }
}
