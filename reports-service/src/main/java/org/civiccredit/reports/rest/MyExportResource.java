package org.civiccredit.reports.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.civiccredit.api.reports.v1.ExportMyDataResponse;
import org.civiccredit.reports.api.ParticipantDataApi;

/** Everything held about the caller in every service, in one document (GDPR Art. 15); never partial. */
@Path("/api/v1/me/export")
@RolesAllowed("participant")
@Produces(MediaType.APPLICATION_JSON)
public class MyExportResource {

    @Inject
    ParticipantDataApi api;

    @GET
    public ExportMyDataResponse export() {
        return api.exportMyData();
    }
}
