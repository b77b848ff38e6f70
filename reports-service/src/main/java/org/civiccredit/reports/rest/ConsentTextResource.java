package org.civiccredit.reports.rest;

import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.civiccredit.api.reports.v1.ConsentText;
import org.civiccredit.reports.api.EnrollmentApi;

/** The consent text a person reads before enrolling (any signed-in user: they are not a participant yet). */
@Path("/api/v1/consent-text")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ConsentTextResource {

    @Inject
    EnrollmentApi api;

    @GET
    public ConsentText current() {
        return api.consentText();
    }
}
