package org.civiccredit.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.reports.v1.GetReportRequest;
import org.civiccredit.api.reports.v1.ReportServiceGrpc;
import org.civiccredit.api.reports.v1.ReportStatus;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.kit.testing.Occurred;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A report travels from an agency to the participant's score across the three processes, and none is lost
 * or counted twice when scoring-service is down and reports-service crashes between commit and delivery.
 */
@SystemUnderTest
class IntakeToScoreIT {

    private static final Duration PATIENCE = Program.PATIENCE;

    private static RunningSystem system;
    private static Program program;
    private static long tableVersion;

    @BeforeAll
    static void publishRulesAndRegisterAgencies(RunningSystem running) {
        system = running;
        program = new Program(running);
        tableVersion = program.publish("system tests",
                Program.rule("SYS_VOL_HOUR", ConductCategory.VOLUNTEERING, 5, true, 1),
                Program.rule("SYS_FOOD_SORT", ConductCategory.COMMUNITY_IMPROVEMENT, 7, false, 1));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        program.close();
    }

    /** A new person, enrolled, and known to scoring-service; returns [participant id, token]. */
    private static String[] enrolledParticipant() {
        Program.Participant p = program.enrolledParticipant();
        return new String[] {p.id(), p.token()};
    }

    private static SubmitReportRequest report(String participantId, String rule, int quantity, Instant occurred) {
        return Program.report(participantId, rule, quantity, occurred);
    }

    private static ReportServiceGrpc.ReportServiceBlockingStub greenway() {
        return program.greenway();
    }

    private static List<ScoreEvent> breakdown(String token) {
        return program.breakdown(token);
    }

    @Test
    void aReportTravelsFromTheAgencyToTheParticipantsScoreWithItsProvenance() {
        String[] participant = enrolledParticipant();
        var accepted = program.submitWhenRuleKnown(participant[0], "SYS_VOL_HOUR", 3);
        assertThat(accepted.getRuleTableVersion()).isEqualTo(tableVersion);

        long score = Calls.eventually(PATIENCE, "the report reaching the score", () -> {
            long s = program.score(participant[1]);
            return s == 15 ? s : null;
        });
        assertThat(score).isEqualTo(15);
        List<ScoreEvent> entries = breakdown(participant[1]);
        assertThat(entries).singleElement().satisfies(e -> {
            assertThat(e.getReportId()).isEqualTo(accepted.getReportId());
            assertThat(e.getAgencyId()).isEqualTo("greenway-volunteers");
            assertThat(e.getRuleTableVersion()).isEqualTo(tableVersion);
            assertThat(e.getEvidenceRef()).isEqualTo(accepted.getEvidenceRef());
        });
        Calls.eventually(PATIENCE, "the report marked scored", () -> greenway().getReport(
                GetReportRequest.newBuilder().setReportId(accepted.getReportId()).build()).getStatus()
                == ReportStatus.REPORT_STATUS_SCORED ? true : null);
    }

    @Test
    void reportsAcceptedWhileScoringIsDownAndACrashBeforeDeliveryAreScoredExactlyOnceInOrder() {
        String[] alice = enrolledParticipant();
        String[] bob = enrolledParticipant();
        system.stop("scoring");
        List<String> aliceReports = new ArrayList<>();
        List<String> bobReports = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                aliceReports.add(greenway().submitReport(report(alice[0], "SYS_FOOD_SORT", 0,
                        Occurred.ago(Duration.ofHours(2).minusMinutes(i)))).getReportId());
                bobReports.add(greenway().submitReport(report(bob[0], "SYS_VOL_HOUR", i + 1,
                        Occurred.ago(Duration.ofHours(2).minusMinutes(i)))).getReportId());
            }
            // Committed, not delivered (scoring is down): now reports-service dies without shutting down.
            system.kill("reports");
        } finally {
            system.restart("scoring");
        }
        system.restart("reports");

        List<ScoreEvent> aliceEntries = Calls.eventually(PATIENCE, "alice's reports scored",
                () -> breakdownOnceComplete(alice[1], aliceReports.size()));
        List<ScoreEvent> bobEntries = Calls.eventually(PATIENCE, "bob's reports scored",
                () -> breakdownOnceComplete(bob[1], bobReports.size()));
        assertThat(inApplyOrder(aliceEntries)).isEqualTo(aliceReports);
        assertThat(inApplyOrder(bobEntries)).isEqualTo(bobReports);
        assertThat(program.score(alice[1])).isEqualTo(4 * 7);
        assertThat(program.score(bob[1])).isEqualTo(5 * (1 + 2 + 3 + 4));
    }

    /** The participant's entries once there are {@code expected} of them, checking none is doubled. */
    private static List<ScoreEvent> breakdownOnceComplete(String token, int expected) {
        List<ScoreEvent> entries = breakdown(token);
        assertThat(entries.stream().map(ScoreEvent::getReportId).distinct().count()).isEqualTo(entries.size());
        assertThat(entries.size()).isLessThanOrEqualTo(expected);
        return entries.size() == expected ? entries : null;
    }

    private static List<String> inApplyOrder(List<ScoreEvent> entries) {
        return entries.stream()
                .sorted(Comparator.comparing((ScoreEvent e) -> e.getAppliedAt().getSeconds())
                        .thenComparing(e -> e.getAppliedAt().getNanos()))
                .map(ScoreEvent::getReportId).toList();
    }
}
