package org.civiccredit.reports.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.civiccredit.api.reports.v1.Contest;
import org.civiccredit.api.reports.v1.ContestCase;
import org.civiccredit.api.reports.v1.ContestReportRequest;
import org.civiccredit.api.reports.v1.DecideContestRequest;
import org.civiccredit.api.reports.v1.GetContestRequest;
import org.civiccredit.api.reports.v1.ListMyReportsRequest;
import org.civiccredit.api.reports.v1.ListMyReportsResponse;
import org.civiccredit.api.reports.v1.ListOpenContestsRequest;
import org.civiccredit.api.reports.v1.ListOpenContestsResponse;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.reports.domain.ReportStatus;
import org.civiccredit.reports.service.Contests;

/**
 * ContestService's v1 calls, whatever the transport: participants list and contest reports about them (also
 * over the participant HTTP API), reviewers list open contests and decide them.
 */
@ApplicationScoped
public class ContestApi {

    private static final Instant END = Instant.parse("9999-12-31T00:00:00Z");
    private static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");

    @Inject
    Contests contests;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    /** The caller's reports, newest occurred first, a page at a time. */
    public ListMyReportsResponse listMyReports(ListMyReportsRequest request) {
        Violations v = new Violations();
        Set<ReportStatus> statuses = Messages.statuses(request.getStatusesList(), v);
        v.throwIfAny();
        String list = "my-reports:" + statuses;
        Page page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), list);
        Cursor after = Cursor.of(page, new Cursor(END, new UUID(-1L, -1L)));
        List<Contests.ReportWithContest> found = contests.myReports(caller.subject(), statuses, after.at(),
                after.id(), page.size() + 1);
        ListMyReportsResponse.Builder b = ListMyReportsResponse.newBuilder();
        found.stream().limit(page.size()).forEach(r -> b.addReports(Messages.report(r)));
        if (found.size() > page.size()) {
            var last = found.get(page.size() - 1).report();
            b.setNextPageToken(new Cursor(last.occurredAt(), last.reportId()).token(list));
        }
        return b.build();
    }

    public Contest contestReport(ContestReportRequest request) {
        return idempotent.onceForCaller("ContestReport", request.getIdempotencyKey(), request, Contest.parser(),
                () -> Messages.contest(contests.contest(caller.subject(), request.getReportId(),
                        request.getStatement())));
    }

    /** A contest: a reviewer sees any, a participant only their own. */
    public ContestCase getContest(GetContestRequest request) {
        return caller.hasRole("reviewer") ? Messages.contestCase(contests.get(request.getContestId(), null))
                : myContest(request);
    }

    /** One of the caller's own contests, whatever other roles the caller has. */
    public ContestCase myContest(GetContestRequest request) {
        return Messages.contestCase(contests.get(request.getContestId(), caller.subject()));
    }

    public ListOpenContestsResponse listOpenContests(ListOpenContestsRequest request) {
        String list = "open-contests";
        Page page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), list);
        Cursor after = Cursor.of(page, new Cursor(BEGINNING, new UUID(0L, 0L)));
        List<Contests.ContestCase> found = contests.open(after.at(), after.id(), page.size() + 1);
        ListOpenContestsResponse.Builder b = ListOpenContestsResponse.newBuilder();
        found.stream().limit(page.size()).forEach(c -> b.addCases(Messages.contestCase(c)));
        if (found.size() > page.size()) {
            var last = found.get(page.size() - 1).contest();
            b.setNextPageToken(new Cursor(last.openedAt(), last.contestId()).token(list));
        }
        return b.build();
    }

    public ContestCase decideContest(DecideContestRequest request) {
        org.civiccredit.reports.domain.Contest.Decision decision = switch (request.getDecision()) {
            case DECISION_UPHOLD -> org.civiccredit.reports.domain.Contest.Decision.UPHOLD;
            case DECISION_OVERTURN -> org.civiccredit.reports.domain.Contest.Decision.OVERTURN;
            default -> null;
        };
        return idempotent.onceForCaller("DecideContest", request.getIdempotencyKey(), request, ContestCase.parser(),
                () -> Messages.contestCase(contests.decide(request.getContestId(), decision, request.getReason(),
                        caller.subject())));
    }

    /** Where a page of a list ordered by (time, id) continues: after this position. */
    private record Cursor(Instant at, UUID id) {

        /** The position a page token carries, or {@code start} on the first page. */
        static Cursor of(Page page, Cursor start) {
            if (page.first()) {
                return start;
            }
            String[] parts = page.cursor().split("/", 2);
            try {
                return new Cursor(Instant.parse(parts[0]), UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw Refusal.invalid("page.page_token", "not a token issued by this list");
            }
        }

        String token(String list) {
            return Page.token(list, at + "/" + id);
        }
    }
}
