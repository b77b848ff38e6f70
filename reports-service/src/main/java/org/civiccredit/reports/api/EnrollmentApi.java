package org.civiccredit.reports.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civiccredit.api.reports.v1.ConsentText;
import org.civiccredit.api.reports.v1.EnrollRequest;
import org.civiccredit.api.reports.v1.EnrollResponse;
import org.civiccredit.api.reports.v1.Enrollment;
import org.civiccredit.api.reports.v1.WithdrawRequest;
import org.civiccredit.api.reports.v1.WithdrawResponse;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.reports.persistence.ConsentTextEntity;
import org.civiccredit.reports.service.Enrollments;

/**
 * EnrollmentService's v1 calls for the calling participant, whatever the transport: the gRPC adapter and the
 * participant HTTP API both call these, so both are idempotent by the same key and answer the same messages.
 */
@ApplicationScoped
public class EnrollmentApi {

    @Inject
    Enrollments enrollments;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    public ConsentText consentText() {
        ConsentTextEntity c = enrollments.currentConsent();
        return ConsentText.newBuilder().setVersion(c.version).setLanguage(c.language).setText(c.text)
                .setPublishedAt(ProtoTime.timestamp(c.publishedAt)).build();
    }

    public EnrollResponse enroll(EnrollRequest request) {
        return idempotent.onceForCaller("Enroll", request.getIdempotencyKey(), request, EnrollResponse.parser(),
                () -> {
                    Enrollments.Enrolled e = enrollments.enroll(caller.subject(), request.getConsentVersion());
                    return EnrollResponse.newBuilder().setEnrollment(Messages.enrollment(e.enrollment()))
                            .setCreated(e.created()).build();
                });
    }

    public Enrollment myEnrollment() {
        return Messages.enrollment(enrollments.myEnrollment(caller.subject()));
    }

    /**
     * Withdraws the caller. The withdrawal erases the caller's stored idempotency keys with everything else
     * personal, its own key included, so a retry after success answers {@code was_enrolled = false} (already not
     * enrolled) rather than the first answer.
     */
    public WithdrawResponse withdraw(WithdrawRequest request) {
        return idempotent.onceForCaller("Withdraw", request.getIdempotencyKey(), request,
                WithdrawResponse.parser(), () -> {
                    WithdrawResponse.Builder b = WithdrawResponse.newBuilder();
                    enrollments.withdraw(caller.subject()).ifPresent(at ->
                            b.setWasEnrolled(true).setWithdrawnAt(ProtoTime.timestamp(at)));
                    return b.build();
                });
    }
}
