package org.civiccredit.reports.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterClientInterceptor;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.reports.v1.ExportMyDataRequest;
import org.civiccredit.api.reports.v1.ExportMyDataResponse;
import org.civiccredit.api.reports.v1.ParticipantDataServiceGrpc;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ExportParticipantDataRequest;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;
import org.civiccredit.reports.domain.Enrollment;
import org.civiccredit.reports.service.Contests;
import org.civiccredit.reports.service.Enrollments;

/**
 * gRPC adapter of ParticipantDataService: everything held about the caller in every service, in one document
 * (GDPR Art. 15) — never partial: if scoring-service or rewards-service cannot answer, the export fails.
 */
@GrpcService
@Authenticated
public class ParticipantDataGrpcService extends ParticipantDataServiceGrpc.ParticipantDataServiceImplBase {

    @Inject
    Enrollments enrollments;

    @Inject
    Contests contests;

    @Inject
    Caller caller;

    @Inject
    @GrpcClient("scoring")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    ScoringInternalServiceBlockingStub scoring;

    @Inject
    @GrpcClient("rewards")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    RewardsInternalServiceBlockingStub rewards;

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void exportMyData(ExportMyDataRequest request, StreamObserver<ExportMyDataResponse> response) {
        Enrollment enrollment;
        try {
            enrollment = enrollments.myEnrollment(caller.subject());
        } catch (Refusal notEnrolled) {
            throw Refusal.failedPrecondition("PARTICIPANT_NOT_ENROLLED", "nothing is held about you");
        }
        ExportMyDataResponse.Builder export = ExportMyDataResponse.newBuilder()
                .setGeneratedAt(ProtoTime.timestamp(Instant.now()))
                .setEnrollment(EnrollmentGrpcService.toProto(enrollment));
        contests.myReports(caller.subject(), java.util.Set.of(), Instant.parse("9999-12-31T00:00:00Z"),
                new UUID(-1L, -1L), Integer.MAX_VALUE).forEach(r -> {
                    var report = ReportGrpcService.toProto(r.report()).toBuilder();
                    if (r.contest() != null) {
                        report.setContest(ContestGrpcService.toProto(r.contest(), true));
                    }
                    export.addReports(report);
                });
        String id = enrollment.participantId().toString();
        try {
            export.setScoring(scoring.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .exportParticipantData(ExportParticipantDataRequest.newBuilder().setParticipantId(id).build()));
            export.setRewards(rewards.withDeadlineAfter(10, TimeUnit.SECONDS).exportParticipantData(
                    org.civiccredit.api.rewards.v1.ExportParticipantDataRequest.newBuilder().setParticipantId(id)
                            .build()));
        } catch (StatusRuntimeException e) {
            throw Status.UNAVAILABLE.withDescription("the export is incomplete (" + e.getStatus().getCode()
                    + " from another service); try again shortly").asRuntimeException();
        }
        response.onNext(export.build());
        response.onCompleted();
    }
}
