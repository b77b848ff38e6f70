package org.civiccredit.reports.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.reports.v1.GetReportRequest;
import org.civiccredit.api.reports.v1.ListReportsRequest;
import org.civiccredit.api.reports.v1.ListReportsResponse;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.api.reports.v1.WithdrawReportRequest;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.grpc.WorkerCalls;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.reports.api.Messages;
import org.civiccredit.reports.api.ReportSubmissions;
import org.civiccredit.reports.service.Intake;

/** gRPC adapter of ReportService: an agency submits reports and reads, lists and withdraws its own. */
@GrpcService
@Authenticated
public class ReportGrpcService extends ReportServiceGrpc.ReportServiceImplBase {

    private static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant END = Instant.parse("9999-12-31T00:00:00Z");
    private static final UUID LAST_ID = new UUID(-1L, -1L);

    @Inject
    Intake intake;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    ReportSubmissions submissions;

    @Inject
    Caller caller;

    @Inject
    WorkerCalls workers;

    /**
     * Not {@code @Blocking}: intake's busiest call is handed to a worker thread once ({@link WorkerCalls}), not once
     * per event of the call as Quarkus hands a {@code @Blocking} one.
     */
    @Override
    @RolesAllowed("agency")
    public void submitReport(SubmitReportRequest request, StreamObserver<Report> response) {
        workers.reply(response, () -> submissions.submit(agencyId(), request));
    }

    @Override
    @Blocking
    @RolesAllowed("agency")
    public void getReport(GetReportRequest request, StreamObserver<Report> response) {
        Replies.reply(response, Messages.report(intake.get(agencyId(), request.getReportId())));
    }

    @Override
    @Blocking
    @RolesAllowed("agency")
    public void listReports(ListReportsRequest request, StreamObserver<ListReportsResponse> response) {
        String agencyId = agencyId();
        Violations v = new Violations();
        Set<org.civiccredit.reports.domain.ReportStatus> statuses = Messages.statuses(request.getStatusesList(), v);
        Instant[] occurred = range(request.hasOccurred() ? request.getOccurred() : null, "occurred", v);
        Instant[] received = range(request.hasReceived() ? request.getReceived() : null, "received", v);
        v.throwIfAny();
        String list = "reports:" + Integer.toHexString(java.util.Arrays.hashCode(
                request.toBuilder().clearPage().build().toByteArray()));
        Page page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), list);
        Instant afterReceived = END;
        UUID afterId = LAST_ID;
        if (!page.first()) {
            try {
                String[] cursor = page.cursor().split("/", 2);
                afterReceived = Instant.parse(cursor[0]);
                afterId = UUID.fromString(cursor[1]);
            } catch (RuntimeException e) {
                throw Refusal.invalid("page.page_token", "not a token issued by this list");
            }
        }
        List<org.civiccredit.reports.domain.Report> found = intake.list(agencyId, statuses, occurred[0], occurred[1],
                received[0], received[1], afterReceived, afterId, page.size() + 1);
        ListReportsResponse.Builder b = ListReportsResponse.newBuilder();
        found.stream().limit(page.size()).forEach(r -> b.addReports(Messages.report(r)));
        if (found.size() > page.size()) {
            org.civiccredit.reports.domain.Report last = found.get(page.size() - 1);
            b.setNextPageToken(Page.token(list, last.receivedAt() + "/" + last.reportId()));
        }
        Replies.reply(response, b.build());
    }

    @Override
    @Blocking
    @RolesAllowed("agency")
    public void withdrawReport(WithdrawReportRequest request, StreamObserver<Report> response) {
        String agencyId = agencyId();
        Replies.reply(response, idempotent.onceForCaller("WithdrawReport", request.getIdempotencyKey(), request,
                Report.parser(), () -> Messages.report(intake.withdraw(agencyId, request.getReportId(),
                        request.getReason()))));
    }

    private String agencyId() {
        return caller.agencyId()
                .orElseThrow(() -> Refusal.permissionDenied("the agency token carries no agency_id claim"));
    }

    private static Instant[] range(TimeRange range, String field, Violations v) {
        Instant start = range != null && range.hasStart()
                ? ProtoTime.instant(range.getStart(), field + ".start", v) : BEGINNING;
        Instant end = range != null && range.hasEnd() ? ProtoTime.instant(range.getEnd(), field + ".end", v) : END;
        v.require(start == null || end == null || !end.isBefore(start), field + ".end",
                "must not be before " + field + ".start");
        return new Instant[] {start, end};
    }
}
