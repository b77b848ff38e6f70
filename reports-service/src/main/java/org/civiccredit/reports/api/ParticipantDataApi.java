package org.civiccredit.reports.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.reports.v1.ExportMyDataResponse;
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
 * ParticipantDataService's v1 call, whatever the transport: everything held about the caller in every service,
 * in one document (GDPR Art. 15) — never partial: if scoring-service or rewards-service cannot answer, the
 * export fails with UNAVAILABLE.
 */
@ApplicationScoped
public class ParticipantDataApi {

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

    public ExportMyDataResponse exportMyData() {
        Enrollment enrollment;
        try {
            enrollment = enrollments.myEnrollment(caller.subject());
        } catch (Refusal notEnrolled) {
            throw Refusal.failedPrecondition("PARTICIPANT_NOT_ENROLLED", "nothing is held about you");
        }
        ExportMyDataResponse.Builder export = ExportMyDataResponse.newBuilder()
                .setGeneratedAt(ProtoTime.timestamp(Instant.now()))
                .setEnrollment(Messages.enrollment(enrollment));
        // Oldest first, as the contract says; myReports pages newest first.
        List<Contests.ReportWithContest> reports = new ArrayList<>(contests.myReports(caller.subject(), Set.of(),
                Instant.parse("9999-12-31T00:00:00Z"), new UUID(-1L, -1L), Integer.MAX_VALUE));
        Collections.reverse(reports);
        reports.forEach(r -> export.addReports(Messages.report(r)));
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
        return export.build();
    }
}
