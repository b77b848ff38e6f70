package org.civiccredit.reports.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import org.civiccredit.api.reports.v1.ConsentText;
import org.civiccredit.api.reports.v1.EnrollRequest;
import org.civiccredit.api.reports.v1.EnrollResponse;
import org.civiccredit.api.reports.v1.Enrollment;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc;
import org.civiccredit.api.reports.v1.EnrollmentState;
import org.civiccredit.api.reports.v1.GetConsentTextRequest;
import org.civiccredit.api.reports.v1.GetMyEnrollmentRequest;
import org.civiccredit.api.reports.v1.WithdrawRequest;
import org.civiccredit.api.reports.v1.WithdrawResponse;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.reports.persistence.ConsentTextEntity;
import org.civiccredit.reports.service.Enrollments;

/** gRPC adapter of EnrollmentService: participants enrol themselves with consent, and withdraw. */
@GrpcService
@Authenticated
public class EnrollmentGrpcService extends EnrollmentServiceGrpc.EnrollmentServiceImplBase {

    @Inject
    Enrollments enrollments;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    @Override
    @Blocking
    public void getConsentText(GetConsentTextRequest request, StreamObserver<ConsentText> response) {
        ConsentTextEntity c = enrollments.currentConsent();
        response.onNext(ConsentText.newBuilder().setVersion(c.version).setLanguage(c.language).setText(c.text)
                .setPublishedAt(ProtoTime.timestamp(c.publishedAt)).build());
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> response) {
        response.onNext(idempotent.onceForCaller("Enroll", request.getIdempotencyKey(), request,
                EnrollResponse.parser(), () -> {
                    Enrollments.Enrolled e = enrollments.enroll(caller.subject(), request.getConsentVersion());
                    return EnrollResponse.newBuilder().setEnrollment(toProto(e.enrollment()))
                            .setCreated(e.created()).build();
                }));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void getMyEnrollment(GetMyEnrollmentRequest request, StreamObserver<Enrollment> response) {
        response.onNext(toProto(enrollments.myEnrollment(caller.subject())));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void withdraw(WithdrawRequest request, StreamObserver<WithdrawResponse> response) {
        response.onNext(idempotent.onceForCaller("Withdraw", request.getIdempotencyKey(), request,
                WithdrawResponse.parser(), () -> {
                    WithdrawResponse.Builder b = WithdrawResponse.newBuilder();
                    enrollments.withdraw(caller.subject()).ifPresent(at ->
                            b.setWasEnrolled(true).setWithdrawnAt(ProtoTime.timestamp(at)));
                    return b.build();
                }));
        response.onCompleted();
    }

    static Enrollment toProto(org.civiccredit.reports.domain.Enrollment e) {
        Enrollment.Builder b = Enrollment.newBuilder()
                .setParticipantId(e.participantId().toString())
                .setState(e.enrolled() ? EnrollmentState.ENROLLMENT_STATE_ENROLLED
                        : EnrollmentState.ENROLLMENT_STATE_WITHDRAWN)
                .setConsentVersion(e.consentVersion())
                .setEnrolledAt(ProtoTime.timestamp(e.enrolledAt()));
        if (e.subject() != null) {
            b.setKeycloakSubject(e.subject());
        }
        if (e.withdrawnAt() != null) {
            b.setWithdrawnAt(ProtoTime.timestamp(e.withdrawnAt()));
        }
        return b.build();
    }
}
