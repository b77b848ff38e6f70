package org.civiccredit.reports.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.civiccredit.api.reports.v1.Contest;
import org.civiccredit.api.reports.v1.ContestCase;
import org.civiccredit.api.reports.v1.ContestReportRequest;
import org.civiccredit.api.reports.v1.ContestServiceGrpc;
import org.civiccredit.api.reports.v1.ContestState;
import org.civiccredit.api.reports.v1.DecideContestRequest;
import org.civiccredit.api.reports.v1.GetContestRequest;
import org.civiccredit.api.reports.v1.ListMyReportsRequest;
import org.civiccredit.api.reports.v1.ListMyReportsResponse;
import org.civiccredit.api.reports.v1.ListOpenContestsRequest;
import org.civiccredit.api.reports.v1.ListOpenContestsResponse;
import org.civiccredit.api.reports.v1.ReportStatus;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.reports.service.Contests;

/** gRPC adapter of ContestService: participants see and contest reports about them; reviewers decide. */
@GrpcService
@Authenticated
public class ContestGrpcService extends ContestServiceGrpc.ContestServiceImplBase {

    private static final Instant END = Instant.parse("9999-12-31T00:00:00Z");
    private static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");

    @Inject
    Contests contests;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void listMyReports(ListMyReportsRequest request, StreamObserver<ListMyReportsResponse> response) {
        Violations v = new Violations();
        Set<org.civiccredit.reports.domain.ReportStatus> statuses =
                EnumSet.noneOf(org.civiccredit.reports.domain.ReportStatus.class);
        for (int i = 0; i < request.getStatusesCount(); i++) {
            ReportStatus s = request.getStatuses(i);
            if (s == ReportStatus.REPORT_STATUS_UNSPECIFIED || s == ReportStatus.UNRECOGNIZED) {
                v.add("statuses[" + i + "]", "not a report status");
            } else {
                statuses.add(org.civiccredit.reports.domain.ReportStatus.valueOf(
                        s.name().substring("REPORT_STATUS_".length())));
            }
        }
        v.throwIfAny();
        String list = "my-reports:" + statuses;
        Page page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), list);
        Instant after = END;
        UUID afterId = new UUID(-1L, -1L);
        if (!page.first()) {
            String[] cursor = cursor(page);
            after = Instant.parse(cursor[0]);
            afterId = UUID.fromString(cursor[1]);
        }
        List<Contests.ReportWithContest> found = contests.myReports(caller.subject(), statuses, after, afterId,
                page.size() + 1);
        ListMyReportsResponse.Builder b = ListMyReportsResponse.newBuilder();
        found.stream().limit(page.size()).forEach(r -> {
            var report = ReportGrpcService.toProto(r.report()).toBuilder();
            if (r.contest() != null) {
                report.setContest(toProto(r.contest(), true));
            }
            b.addReports(report);
        });
        if (found.size() > page.size()) {
            var last = found.get(page.size() - 1).report();
            b.setNextPageToken(Page.token(list, last.occurredAt() + "/" + last.reportId()));
        }
        reply(response, b.build());
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void contestReport(ContestReportRequest request, StreamObserver<Contest> response) {
        reply(response, idempotent.onceForCaller("ContestReport", request.getIdempotencyKey(), request,
                Contest.parser(), () -> toProto(contests.contest(caller.subject(), request.getReportId(),
                        request.getStatement()), true)));
    }

    @Override
    @Blocking
    @RolesAllowed({"participant", "reviewer"})
    public void getContest(GetContestRequest request, StreamObserver<ContestCase> response) {
        String subject = caller.hasRole("reviewer") ? null : caller.subject();
        reply(response, toProto(contests.get(request.getContestId(), subject)));
    }

    @Override
    @Blocking
    @RolesAllowed("reviewer")
    public void listOpenContests(ListOpenContestsRequest request, StreamObserver<ListOpenContestsResponse> response) {
        String list = "open-contests";
        Page page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), list);
        Instant after = BEGINNING;
        UUID afterId = new UUID(0L, 0L);
        if (!page.first()) {
            String[] cursor = cursor(page);
            after = Instant.parse(cursor[0]);
            afterId = UUID.fromString(cursor[1]);
        }
        List<Contests.ContestCase> found = contests.open(after, afterId, page.size() + 1);
        ListOpenContestsResponse.Builder b = ListOpenContestsResponse.newBuilder();
        found.stream().limit(page.size()).forEach(c -> b.addCases(toProto(c)));
        if (found.size() > page.size()) {
            var last = found.get(page.size() - 1).contest();
            b.setNextPageToken(Page.token(list, last.openedAt() + "/" + last.contestId()));
        }
        reply(response, b.build());
    }

    @Override
    @Blocking
    @RolesAllowed("reviewer")
    public void decideContest(DecideContestRequest request, StreamObserver<ContestCase> response) {
        org.civiccredit.reports.domain.Contest.Decision decision = switch (request.getDecision()) {
            case DECISION_UPHOLD -> org.civiccredit.reports.domain.Contest.Decision.UPHOLD;
            case DECISION_OVERTURN -> org.civiccredit.reports.domain.Contest.Decision.OVERTURN;
            default -> null;
        };
        reply(response, idempotent.onceForCaller("DecideContest", request.getIdempotencyKey(), request,
                ContestCase.parser(), () -> toProto(contests.decide(request.getContestId(), decision,
                        request.getReason(), caller.subject()))));
    }

    private static String[] cursor(Page page) {
        String[] cursor = page.cursor().split("/", 2);
        try {
            Instant.parse(cursor[0]);
            UUID.fromString(cursor[1]);
            return cursor;
        } catch (RuntimeException e) {
            throw Refusal.invalid("page.page_token", "not a token issued by this list");
        }
    }

    private static ContestCase toProto(Contests.ContestCase c) {
        var report = ReportGrpcService.toProto(c.report()).toBuilder().setContest(toProto(c.contest(), true));
        return ContestCase.newBuilder().setContest(toProto(c.contest(), true)).setReport(report).build();
    }

    static Contest toProto(org.civiccredit.reports.domain.Contest c, boolean withStatement) {
        Contest.Builder b = Contest.newBuilder()
                .setContestId(c.contestId().toString())
                .setReportId(c.reportId().toString())
                .setOpenedAt(ProtoTime.timestamp(c.openedAt()))
                .setState(ContestState.valueOf("CONTEST_STATE_" + c.state().name()));
        if (withStatement && c.statement() != null) {
            b.setStatement(c.statement());
        }
        if (c.decidedAt() != null) {
            b.setDecidedAt(ProtoTime.timestamp(c.decidedAt())).setDecisionReason(c.decisionReason())
                    .setReviewer(c.reviewer());
        }
        return b.build();
    }

    private static <T> void reply(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }
}
