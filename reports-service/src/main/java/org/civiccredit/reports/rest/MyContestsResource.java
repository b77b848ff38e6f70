package org.civiccredit.reports.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.civiccredit.api.reports.v1.ContestCase;
import org.civiccredit.api.reports.v1.GetContestRequest;
import org.civiccredit.reports.api.ContestApi;

/** One of the caller's contests with the report it concerns, and the reviewer's decision once there is one. */
@Path(MyContestsResource.PATH)
@RolesAllowed("participant")
@Produces(MediaType.APPLICATION_JSON)
public class MyContestsResource {

    static final String PATH = "/api/v1/me/contests";

    @Inject
    ContestApi api;

    @GET
    @Path("{contestId}")
    public ContestCase get(@PathParam("contestId") String contestId) {
        return api.myContest(GetContestRequest.newBuilder().setContestId(contestId).build());
    }
}
