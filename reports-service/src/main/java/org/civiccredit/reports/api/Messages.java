package org.civiccredit.reports.api;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.reports.v1.Contest;
import org.civiccredit.api.reports.v1.ContestCase;
import org.civiccredit.api.reports.v1.ContestState;
import org.civiccredit.api.reports.v1.Enrollment;
import org.civiccredit.api.reports.v1.EnrollmentState;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportStatus;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.reports.service.Contests;

/**
 * The v1 messages of reports, contests and enrolments built from the domain, in one place, so every call that
 * shows them (gRPC, the participant HTTP API, the export) shows the same fields.
 */
public final class Messages {

    private Messages() {
    }

    public static Report report(org.civiccredit.reports.domain.Report r) {
        Report.Builder b = Report.newBuilder()
                .setReportId(r.reportId().toString())
                .setAgencyId(r.agencyId())
                .setAgencyDisplayName(r.agencyName())
                .setParticipantId(r.participantId().toString())
                .setRuleCode(r.ruleCode())
                .setRuleTableVersion(r.ruleTableVersion())
                .setCategory(ConductCategory.valueOf(r.category().name()))
                .setRuleTitle(r.ruleTitle())
                .setQuantity(r.quantity())
                .setOccurredAt(ProtoTime.timestamp(r.occurredAt()))
                .setReceivedAt(ProtoTime.timestamp(r.receivedAt()))
                .setEvidenceRef(r.evidenceRef())
                .setStatus(ReportStatus.valueOf("REPORT_STATUS_" + r.status().name()))
                .setStatusChangedAt(ProtoTime.timestamp(r.statusChangedAt()));
        if (r.note() != null) {
            b.setNote(r.note());
        }
        if (r.withdrawalReason() != null) {
            b.setWithdrawalReason(r.withdrawalReason());
        }
        return b.build();
    }

    /** A report about the participant, with their contest of it when there is one. */
    public static Report report(Contests.ReportWithContest r) {
        Report.Builder report = report(r.report()).toBuilder();
        if (r.contest() != null) {
            report.setContest(contest(r.contest()));
        }
        return report.build();
    }

    public static Contest contest(org.civiccredit.reports.domain.Contest c) {
        Contest.Builder b = Contest.newBuilder()
                .setContestId(c.contestId().toString())
                .setReportId(c.reportId().toString())
                .setOpenedAt(ProtoTime.timestamp(c.openedAt()))
                .setState(ContestState.valueOf("CONTEST_STATE_" + c.state().name()));
        if (c.statement() != null) {
            b.setStatement(c.statement());
        }
        if (c.decidedAt() != null) {
            b.setDecidedAt(ProtoTime.timestamp(c.decidedAt())).setDecisionReason(c.decisionReason())
                    .setReviewer(c.reviewer());
        }
        return b.build();
    }

    public static ContestCase contestCase(Contests.ContestCase c) {
        Contest contest = contest(c.contest());
        return ContestCase.newBuilder().setContest(contest)
                .setReport(report(c.report()).toBuilder().setContest(contest)).build();
    }

    public static Enrollment enrollment(org.civiccredit.reports.domain.Enrollment e) {
        Enrollment.Builder b = Enrollment.newBuilder()
                .setParticipantId(e.participantId().toString())
                .setState(e.enrolled() ? EnrollmentState.ENROLLMENT_STATE_ENROLLED
                        : EnrollmentState.ENROLLMENT_STATE_WITHDRAWN)
                .setConsentVersion(e.consentVersion())
                .setEnrolledAt(ProtoTime.timestamp(e.enrolledAt()));
        if (e.subject() != null) {
            b.setKeycloakSubject(e.subject());
        }
        if (e.withdrawnAt() != null) {
            b.setWithdrawnAt(ProtoTime.timestamp(e.withdrawnAt()));
        }
        return b.build();
    }

    /** A list filter of report statuses; unset or unknown values are violations on {@code statuses[i]}. */
    public static Set<org.civiccredit.reports.domain.ReportStatus> statuses(List<ReportStatus> requested,
            Violations v) {
        Set<org.civiccredit.reports.domain.ReportStatus> statuses =
                EnumSet.noneOf(org.civiccredit.reports.domain.ReportStatus.class);
        for (int i = 0; i < requested.size(); i++) {
            ReportStatus s = requested.get(i);
            if (s == ReportStatus.REPORT_STATUS_UNSPECIFIED || s == ReportStatus.UNRECOGNIZED) {
                v.add("statuses[" + i + "]", "not a report status");
            } else {
                statuses.add(org.civiccredit.reports.domain.ReportStatus.valueOf(
                        s.name().substring("REPORT_STATUS_".length())));
            }
        }
        return statuses;
    }
}
