package org.civiccredit.reports.api;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.idempotency.IdempotentCalls.Answered;
import org.civiccredit.kit.idempotency.IdempotentCalls.Claim;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.persistence.BatchScope;
import org.civiccredit.kit.persistence.GroupCommit;
import org.civiccredit.reports.config.IntakeConfig;
import org.civiccredit.reports.domain.ReportSubmission;
import org.civiccredit.reports.service.Intake;
import org.jboss.logging.Logger;

/**
 * SubmitReport, idempotent by the agency's key, with group commit: at most {@code intake.group-commit.lanes}
 * SubmitReport transactions run at once, and the calls that arrive while they are all busy are committed together by
 * the next, in one transaction ({@link GroupCommit}). A lone call is made exactly as before (its own transaction,
 * {@link IdempotentCalls#onceForCaller}); a group makes one statement of each kind for all its reports: the agencies'
 * rows, the idempotency keys, the participants' locks, the reports (one JDBC batch), their outbox rows, the stored
 * responses and the audit entries.
 *
 * <p>A group answers only the calls it can accept. A call it would refuse (a bad field, an agency suspended, a rule
 * out of scope, a note on a protected ground, a participant not enrolled), and a call whose key was already used
 * (a replay, or a key reused for another request), is made alone afterwards by its own thread, which gives the exact
 * answer, refusal and refusal count the call has without grouping. The group stores nothing for it.
 */
@ApplicationScoped
public class ReportSubmissions {

    static final String CALL = "SubmitReport";

    private static final Logger LOG = Logger.getLogger(ReportSubmissions.class);

    @Inject
    Intake intake;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    @Inject
    AuditLog audit;

    @Inject
    BatchScope batch;

    @Inject
    IntakeConfig config;

    private GroupCommit<Pending, Report> group;

    /** One call waiting for its group: its agency, its claim (caller's scope, key, request) and its actor. */
    public record Pending(String agencyId, Claim claim, String actor) {

        SubmitReportRequest request() {
            return (SubmitReportRequest) claim.request();
        }
    }

    @PostConstruct
    void start() {
        IntakeConfig.GroupCommit settings = config.groupCommit();
        if (settings.lanes() > 0) {
            group = new GroupCommit<>(settings.maxReports(), settings.lanes(),
                    p -> List.of(p.claim().scope(), p.claim().key()), this::together);
        }
    }

    /**
     * Submits a report for the calling agency (on the call's own thread, in its request context), alone or in a group;
     * replies after the report's transaction committed.
     */
    public Report submit(String agencyId, SubmitReportRequest request) {
        Supplier<Report> alone = () -> idempotent.onceForCaller(CALL, request.getIdempotencyKey(), request,
                Report.parser(), () -> Messages.report(intake.submit(agencyId, submission(request))));
        if (group == null || !IdempotentCalls.isValidKey(request.getIdempotencyKey())) {
            return alone.get();
        }
        return group.submit(new Pending(agencyId, new Claim(caller.idempotencyScope(CALL),
                request.getIdempotencyKey(), request), audit.currentActor()), alone);
    }

    /**
     * Commits a group of calls in one transaction; answers each, or {@code null} for one left to be made alone. Public
     * for tests, which commit a group directly.
     */
    public List<Report> together(List<Pending> calls) {
        return QuarkusTransaction.requiringNew().call(() -> {
            batch.begin();
            List<Intake.Admitted> admitted = intake.admitAll(calls.stream()
                    .map(p -> new Intake.Submitted(p.agencyId(), submission(p.request()))).toList());
            List<Claim> claims = new ArrayList<>();
            List<Integer> claimedAt = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                if (admitted.get(i) != null) {
                    claims.add(calls.get(i).claim());
                    claimedAt.add(i);
                }
            }
            boolean[] ours = idempotent.claimAll(claims);
            List<Intake.Admitted> accepting = new ArrayList<>(calls.size());
            calls.forEach(p -> accepting.add(null));
            for (int c = 0; c < claims.size(); c++) {
                if (ours[c]) {
                    accepting.set(claimedAt.get(c), admitted.get(claimedAt.get(c)));
                }
            }
            List<org.civiccredit.reports.domain.Report> accepted = intake.acceptAll(accepting);
            List<Report> answers = new ArrayList<>(calls.size());
            List<Answered> answered = new ArrayList<>();
            List<Claim> released = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                Pending p = calls.get(i);
                Report answer = accepted.get(i) == null ? null : Messages.report(accepted.get(i));
                answers.add(answer);
                if (answer != null) {
                    answered.add(new Answered(p.claim(), p.actor(), answer));
                } else if (accepting.get(i) != null) {
                    released.add(p.claim());
                }
            }
            idempotent.releaseAll(released);
            idempotent.storeAll(CALL, answered);
            batch.finish();
            return answers;
        });
    }

    @PreDestroy
    void stop() {
        GroupCommit.Stats stats = stats();
        if (stats != null && stats.groups() + stats.alone() > 0) {
            LOG.infof("SubmitReport: %d calls committed in %d groups, %d alone, %d left alone by a group; waiting"
                    + " calls woken %d times, %d of them to wait again", stats.groupedItems(), stats.groups(),
                    stats.alone(), stats.leftAlone(), stats.wakeUps(), stats.futileWakeUps());
        }
    }

    /** How the calls were committed so far (null with grouping off). */
    public GroupCommit.Stats stats() {
        return group == null ? null : group.stats();
    }

    private static ReportSubmission submission(SubmitReportRequest request) {
        return new ReportSubmission(request.getParticipantId(), request.getRuleCode(), request.getQuantity(),
                request.hasOccurredAt() ? ProtoTime.requireValid(request.getOccurredAt(), "occurred_at") : null,
                request.getEvidenceRef(), request.getNote());
    }

}
