package org.civiccredit.reports.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.UnfreezeEventRequest;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.outbox.Outbox;
import org.civiccredit.reports.domain.Contest;
import org.civiccredit.reports.domain.Report;
import org.civiccredit.reports.domain.ReportStatus;
import org.civiccredit.reports.persistence.AgencyEntity;
import org.civiccredit.reports.persistence.ContestEntity;
import org.civiccredit.reports.persistence.ParticipantEntity;
import org.civiccredit.reports.persistence.ReportEntity;
import org.civiccredit.reports.relay.OutboxKind;

/**
 * Due process: a participant sees every report about them and contests any of them; the report's effect is
 * frozen until a reviewer upholds it (unfrozen) or overturns it (reversed everywhere, exactly once). Every
 * step reaches scoring-service through the outbox, in the participant's order.
 */
@ApplicationScoped
public class Contests {

    public static final int MAX_TEXT = 2000;

    @Inject
    Outbox outbox;

    /** A contest with the report it concerns. */
    public record ContestCase(Contest contest, Report report) {
    }

    /** A report about the participant with its contest, if any. */
    public record ReportWithContest(Report report, Contest contest) {
    }

    @Transactional
    public Contest contest(String subject, String reportId, String statement) {
        new Violations().require(!reportId.isEmpty(), "report_id", "required")
                .require(!statement.isBlank() && statement.length() <= MAX_TEXT, "statement",
                        "1 to " + MAX_TEXT + " characters: why the report is wrong")
                .throwIfAny();
        ParticipantEntity participant = lockedParticipant(subject);
        ReportEntity report = reportAbout(participant.participantId, reportId);
        if (ContestEntity.count("reportId", report.reportId) > 0) {
            throw Refusal.failedPrecondition("REPORT_ALREADY_CONTESTED", "this report has already been contested");
        }
        if (report.status == ReportStatus.WITHDRAWN || report.status == ReportStatus.OVERTURNED) {
            throw Refusal.failedPrecondition("REPORT_NOT_CONTESTABLE", "the report no longer counts ("
                    + report.status.name().toLowerCase() + ")");
        }
        Instant now = now();
        ContestEntity c = new ContestEntity();
        c.contestId = UUID.randomUUID();
        c.reportId = report.reportId;
        c.participantId = participant.participantId;
        c.statement = statement;
        c.openedAt = now;
        c.state = Contest.State.OPEN;
        c.persist();
        report.status = ReportStatus.CONTESTED;
        report.statusChangedAt = now;
        outbox.add(OutboxKind.SCORING_FREEZE_EVENT, participant.participantId.toString(),
                FreezeEventRequest.newBuilder().setIdempotencyKey("freeze-" + report.reportId)
                        .setReportId(report.reportId.toString()).build(), report.reportId);
        return c.toDomain();
    }

    /** Every report about the caller, newest occurred first, after the cursor (occurred_at, report_id). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ReportWithContest> myReports(String subject, Set<ReportStatus> statuses, Instant afterOccurred,
            UUID afterId, int limit) {
        ParticipantEntity participant = ParticipantEntity.enrolledBySubject(subject)
                .orElseThrow(Contests::notEnrolled);
        Set<ReportStatus> wanted = statuses.isEmpty() ? EnumSet.allOf(ReportStatus.class) : statuses;
        return ReportEntity.<ReportEntity>find("""
                participantId = ?1 AND status IN ?2
                AND (occurredAt < ?3 OR (occurredAt = ?3 AND reportId < ?4)) ORDER BY occurredAt DESC, reportId DESC""",
                participant.participantId, wanted, afterOccurred, afterId).page(0, limit).list().stream()
                .map(r -> new ReportWithContest(r.toDomain(AgencyEntity.displayNameOf(r.agencyId)),
                        ContestEntity.<ContestEntity>find("reportId", r.reportId).firstResultOptional()
                                .map(ContestEntity::toDomain).orElse(null)))
                .toList();
    }

    /** A contest for the participant it belongs to ({@code subject}) or for a reviewer ({@code subject} null). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public ContestCase get(String contestId, String subject) {
        ContestEntity c = find(contestId);
        if (subject != null) {
            ParticipantEntity p = ParticipantEntity.enrolledBySubject(subject).orElse(null);
            if (p == null || !p.participantId.equals(c.participantId)) {
                throw Refusal.notFound("no contest " + contestId);
            }
        }
        return caseOf(c);
    }

    /** Open contests, oldest first, after the cursor (opened_at, contest_id). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ContestCase> open(Instant afterOpened, UUID afterId, int limit) {
        return ContestEntity.<ContestEntity>find("""
                state = ?1 AND (openedAt > ?2 OR (openedAt = ?2 AND contestId > ?3))
                ORDER BY openedAt, contestId""", Contest.State.OPEN, afterOpened, afterId)
                .page(0, limit).list().stream().map(Contests::caseOf).toList();
    }

    @Transactional
    public ContestCase decide(String contestId, Contest.Decision decision, String reason, String reviewer) {
        new Violations().require(!contestId.isEmpty(), "contest_id", "required")
                .require(decision != null, "decision", "UPHOLD or OVERTURN")
                .require(!reason.isBlank() && reason.length() <= MAX_TEXT, "reason",
                        "1 to " + MAX_TEXT + " characters: the participant reads it")
                .throwIfAny();
        ContestEntity c = find(contestId);
        // The report, then its contest, as a withdrawal locks them; each re-read under its lock, so a decision or a
        // withdrawal committed while this one waited is seen (a lock alone would keep the state read before it).
        ReportEntity report = ReportEntity.findById(c.reportId);
        ContestEntity.getEntityManager().refresh(report, LockModeType.PESSIMISTIC_WRITE);
        ContestEntity.getEntityManager().refresh(c, LockModeType.PESSIMISTIC_WRITE);
        Contest.State outcome = decision == Contest.Decision.UPHOLD ? Contest.State.UPHELD : Contest.State.OVERTURNED;
        if (c.state == outcome) {
            return caseOf(c);
        }
        if (c.state == Contest.State.CLOSED) {
            throw Refusal.failedPrecondition("CONTEST_CLOSED", "the agency withdrew the report; nothing to decide");
        }
        if (c.state != Contest.State.OPEN) {
            throw Refusal.failedPrecondition("CONTEST_ALREADY_DECIDED", "the contest was already decided: " + c.state);
        }
        Instant now = now();
        c.state = outcome;
        c.decidedAt = now;
        c.decisionReason = reason;
        c.reviewer = reviewer;
        report.status = outcome == Contest.State.UPHELD ? ReportStatus.UPHELD : ReportStatus.OVERTURNED;
        report.statusChangedAt = now;
        String stream = c.participantId.toString();
        if (outcome == Contest.State.UPHELD) {
            outbox.add(OutboxKind.SCORING_UNFREEZE_EVENT, stream, UnfreezeEventRequest.newBuilder()
                    .setIdempotencyKey("unfreeze-" + report.reportId).setReportId(report.reportId.toString()).build(),
                    report.reportId);
        } else {
            outbox.add(OutboxKind.SCORING_REVERSE_EVENT, stream, ReverseEventRequest.newBuilder()
                    .setIdempotencyKey("reverse-" + report.reportId).setReportId(report.reportId.toString())
                    .setReason(reason).setCause(ReversalCause.REVERSAL_CAUSE_CONTEST_OVERTURNED).build(),
                    report.reportId);
        }
        return caseOf(c);
    }

    /** The caller's participant row, locked and re-read, so a withdrawal committed meanwhile is seen. */
    private static ParticipantEntity lockedParticipant(String subject) {
        ParticipantEntity p = ParticipantEntity.enrolledBySubject(subject).orElseThrow(Contests::notEnrolled);
        ParticipantEntity.getEntityManager().refresh(p, LockModeType.PESSIMISTIC_WRITE);
        if (!p.enrolled()) {
            throw notEnrolled();
        }
        return p;
    }

    private static ReportEntity reportAbout(UUID participantId, String reportId) {
        try {
            return ReportEntity.<ReportEntity>findByIdOptional(UUID.fromString(reportId))
                    .filter(r -> r.participantId.equals(participantId))
                    .orElseThrow(() -> Refusal.notFound("no report " + reportId + " about you"));
        } catch (IllegalArgumentException e) {
            throw Refusal.notFound("no report " + reportId + " about you");
        }
    }

    private static ContestEntity find(String contestId) {
        if (contestId.isEmpty()) {
            throw Refusal.invalid("contest_id", "required");
        }
        try {
            return ContestEntity.<ContestEntity>findByIdOptional(UUID.fromString(contestId))
                    .orElseThrow(() -> Refusal.notFound("no contest " + contestId));
        } catch (IllegalArgumentException e) {
            throw Refusal.notFound("no contest " + contestId);
        }
    }

    private static ContestCase caseOf(ContestEntity c) {
        ReportEntity r = ReportEntity.findById(c.reportId);
        return new ContestCase(c.toDomain(), r.toDomain(AgencyEntity.displayNameOf(r.agencyId)));
    }


    private static Refusal notEnrolled() {
        return Refusal.failedPrecondition("PARTICIPANT_NOT_ENROLLED", "you are not enrolled");
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
