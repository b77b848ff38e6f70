package org.civiccredit.reports.rest;

import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.reports.v1.GetTransparencyReportRequest;
import org.civiccredit.api.reports.v1.TransparencyReport;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.reports.api.TransparencyApi;

/**
 * The public transparency report over HTTP, for any signed-in caller: {@code from} is the first day
 * included and {@code to} the first day not included (UTC), so consecutive periods join without overlap.
 */
@Path("/api/v1/transparency")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class TransparencyResource {

    @Inject
    TransparencyApi api;

    @GET
    public TransparencyReport report(@QueryParam("from") String from, @QueryParam("to") String to) {
        Violations v = new Violations();
        LocalDate start = day(from, "from", v);
        LocalDate end = day(to, "to", v);
        v.throwIfAny();
        return api.report(GetTransparencyReportRequest.newBuilder().setPeriod(TimeRange.newBuilder()
                .setStart(ProtoTime.timestamp(start.atStartOfDay(ZoneOffset.UTC).toInstant()))
                .setEnd(ProtoTime.timestamp(end.atStartOfDay(ZoneOffset.UTC).toInstant()))).build());
    }

    private static LocalDate day(String value, String name, Violations v) {
        if (value == null || value.isEmpty()) {
            v.add(name, "required: a date, YYYY-MM-DD");
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            v.add(name, "not a date of the form YYYY-MM-DD");
            return null;
        }
    }
}
