package org.civiccredit.reports.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.civiccredit.api.reports.v1.EnrollRequest;
import org.civiccredit.api.reports.v1.EnrollResponse;
import org.civiccredit.api.reports.v1.Enrollment;
import org.civiccredit.api.reports.v1.WithdrawRequest;
import org.civiccredit.api.reports.v1.WithdrawResponse;
import org.civiccredit.kit.rest.HttpFields;
import org.civiccredit.reports.api.EnrollmentApi;

/**
 * The caller's own enrolment over HTTP: enrol with consent, read it, withdraw. Withdrawal is a POST of a
 * withdrawal (not a DELETE of the enrolment) because it is an act with consequences in every service — erasure
 * and anonymisation — that answers with a receipt and, like every mutating call, carries an Idempotency-Key.
 */
@Path(MyEnrollmentResource.PATH)
@RolesAllowed("participant")
@Produces(MediaType.APPLICATION_JSON)
public class MyEnrollmentResource {

    static final String PATH = "/api/v1/me/enrollment";

    /** Body of an enrolment: the version of the consent text the participant read and accepts. */
    public record EnrollmentBody(long consentVersion) {
    }

    @Inject
    EnrollmentApi api;

    /** 201 with the new enrolment, or 200 when the caller was already enrolled; a replay answers the same. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response enroll(@HeaderParam(HttpFields.IDEMPOTENCY_KEY) String key, EnrollmentBody body) {
        EnrollResponse enrolled = api.enroll(EnrollRequest.newBuilder()
                .setIdempotencyKey(HttpFields.idempotencyKey(key))
                .setConsentVersion(body == null ? 0 : body.consentVersion()).build());
        return (enrolled.getCreated() ? Response.created(URI.create(PATH)) : Response.ok()).entity(enrolled).build();
    }

    @GET
    public Enrollment mine() {
        return api.myEnrollment();
    }

    @POST
    @Path("withdrawal")
    public WithdrawResponse withdraw(@HeaderParam(HttpFields.IDEMPOTENCY_KEY) String key) {
        return api.withdraw(WithdrawRequest.newBuilder().setIdempotencyKey(HttpFields.idempotencyKey(key)).build());
    }
}
