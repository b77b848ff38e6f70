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
import org.civiccredit.api.reports.v1.GetConsentTextRequest;
import org.civiccredit.api.reports.v1.GetMyEnrollmentRequest;
import org.civiccredit.api.reports.v1.WithdrawRequest;
import org.civiccredit.api.reports.v1.WithdrawResponse;
import org.civiccredit.reports.api.EnrollmentApi;

/** gRPC adapter of EnrollmentService: participants enrol themselves with consent, and withdraw. */
@GrpcService
@Authenticated
public class EnrollmentGrpcService extends EnrollmentServiceGrpc.EnrollmentServiceImplBase {

    @Inject
    EnrollmentApi api;

    @Override
    @Blocking
    public void getConsentText(GetConsentTextRequest request, StreamObserver<ConsentText> response) {
        Replies.reply(response, api.consentText());
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> response) {
        Replies.reply(response, api.enroll(request));
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void getMyEnrollment(GetMyEnrollmentRequest request, StreamObserver<Enrollment> response) {
        Replies.reply(response, api.myEnrollment());
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void withdraw(WithdrawRequest request, StreamObserver<WithdrawResponse> response) {
        Replies.reply(response, api.withdraw(request));
    }
}
