package org.civiccredit.reports.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.reports.v1.Contest;
import org.civiccredit.api.reports.v1.ContestReportRequest;
import org.civiccredit.api.reports.v1.ListMyReportsRequest;
import org.civiccredit.api.reports.v1.ListMyReportsResponse;
import org.civiccredit.api.reports.v1.ReportStatus;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.rest.HttpFields;
import org.civiccredit.reports.api.ContestApi;

/** Every report about the caller, a page at a time, and contesting one of them. */
@Path("/api/v1/me/reports")
@RolesAllowed("participant")
@Produces(MediaType.APPLICATION_JSON)
public class MyReportsResource {

    /** Body of a contest: why the participant says the report is wrong. */
    public record ContestBody(String statement) {
    }

    @Inject
    ContestApi api;

    /**
     * @param pageSize reports per page (default 50, at most 500)
     * @param pageToken {@code nextPageToken} of the previous page
     * @param statuses only reports in these states (ReportStatus names, e.g. {@code REPORT_STATUS_CONTESTED})
     */
    @GET
    public ListMyReportsResponse list(@QueryParam(HttpFields.PAGE_SIZE) String pageSize,
            @QueryParam(HttpFields.PAGE_TOKEN) String pageToken, @QueryParam("statuses") List<String> statuses) {
        ListMyReportsRequest.Builder request = ListMyReportsRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(pageSize(pageSize))
                        .setPageToken(pageToken == null ? "" : pageToken));
        // An unknown name travels as an unknown enum number, which the call refuses on statuses[i].
        statuses.forEach(name -> {
            var value = ReportStatus.getDescriptor().findValueByName(name);
            request.addStatusesValue(value == null ? -1 : value.getNumber());
        });
        return api.listMyReports(request.build());
    }

    /** 201 with the contest; a replay with the same Idempotency-Key and statement answers the same. */
    @POST
    @Path("{reportId}/contest")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response contest(@PathParam("reportId") String reportId,
            @HeaderParam(HttpFields.IDEMPOTENCY_KEY) String key, ContestBody body) {
        Contest contest = api.contestReport(ContestReportRequest.newBuilder()
                .setIdempotencyKey(HttpFields.idempotencyKey(key)).setReportId(reportId)
                .setStatement(body == null || body.statement() == null ? "" : body.statement()).build());
        return Response.created(URI.create(MyContestsResource.PATH + "/" + contest.getContestId())).entity(contest)
                .build();
    }

    private static int pageSize(String value) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw Refusal.invalid("page.page_size", "a whole number");
        }
    }
}
