package org.civiccredit.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc;
import org.civiccredit.api.reports.v1.EnrollRequest;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc;
import org.civiccredit.api.reports.v1.GetReportRequest;
import org.civiccredit.api.reports.v1.RegisterAgencyRequest;
import org.civiccredit.api.reports.v1.ReportServiceGrpc;
import org.civiccredit.api.reports.v1.ReportStatus;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownRequest;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownResponse;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A report travels from an agency to the participant's score across the three processes, and none is lost
 * or counted twice when scoring-service is down and reports-service crashes between commit and delivery.
 */
@SystemUnderTest
class IntakeToScoreIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static RunningSystem system;
    private static ManagedChannel reports;
    private static ManagedChannel scoring;
    private static long tableVersion;

    @BeforeAll
    static void publishRulesAndRegisterAgencies(RunningSystem running) {
        system = running;
        reports = Calls.channel(running.service("reports"));
        scoring = Calls.channel(running.service("scoring"));
        String admin = Keycloak.clientToken("civic-admin-cli");
        tableVersion = Calls.as(RuleTableServiceGrpc.newBlockingStub(scoring), admin).publishRuleTable(
                PublishRuleTableRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .addRules(rule("SYS_VOL_HOUR", ConductCategory.VOLUNTEERING, 5, true))
                        .addRules(rule("SYS_FOOD_SORT", ConductCategory.COMMUNITY_IMPROVEMENT, 7, false))
                        .setNotes("system tests").build()).getVersion();
        var agencies = Calls.as(AgencyServiceGrpc.newBlockingStub(reports), admin);
        for (String[] agency : new String[][] {{"greenway-volunteers", "agency-greenway"},
            {"northside-food-bank", "agency-northside"}}) {
            try {
                agencies.registerAgency(RegisterAgencyRequest.newBuilder()
                        .setIdempotencyKey(UUID.randomUUID().toString()).setAgencyId(agency[0])
                        .setDisplayName(agency[0]).setKeycloakClientId(agency[1])
                        .addAllowedCategories(ConductCategory.VOLUNTEERING)
                        .addAllowedCategories(ConductCategory.COMMUNITY_IMPROVEMENT).build());
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
            }
        }
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        reports.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        scoring.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Rule rule(String code, ConductCategory category, long delta, boolean perUnit) {
        Rule.Builder r = Rule.newBuilder().setCode(code).setCategory(category).setTitle(code)
                .setScoreDelta(delta).setAwardPoints(1).setCapPerPeriod(10_000)
                .setCapPeriod(CapPeriod.CAP_PERIOD_WEEK)
                .setCountsFor(com.google.protobuf.Duration.newBuilder().setSeconds(365L * 86_400));
        if (perUnit) {
            r.setPerUnit(true).setUnitCap(8).setUnitName("hour");
        }
        return r.build();
    }

    /** A new person, enrolled, and known to scoring-service; returns [participant id, token]. */
    private static String[] enrolledParticipant() {
        Keycloak.Person person = Keycloak.newPerson("participant");
        String participantId = Calls.as(EnrollmentServiceGrpc.newBlockingStub(reports), person.token())
                .enroll(EnrollRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .setConsentVersion(1).build()).getEnrollment().getParticipantId();
        Calls.eventually(PATIENCE, "registration reaching scoring-service",
                () -> Calls.as(ScoreServiceGrpc.newBlockingStub(scoring), person.token())
                        .getScore(GetScoreRequest.getDefaultInstance()));
        return new String[] {participantId, person.token()};
    }

    private static SubmitReportRequest report(String participantId, String rule, int quantity, Instant occurred) {
        return SubmitReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setParticipantId(participantId).setRuleCode(rule).setQuantity(quantity)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(occurred.getEpochSecond()))
                .setEvidenceRef("https://greenway.example.org/shifts/" + UUID.randomUUID()).build();
    }

    private static ReportServiceGrpc.ReportServiceBlockingStub greenway() {
        return Calls.as(ReportServiceGrpc.newBlockingStub(reports), Keycloak.clientToken("agency-greenway"))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static List<ScoreEvent> breakdown(String token) {
        GetScoreBreakdownResponse page = Calls.as(ScoreServiceGrpc.newBlockingStub(scoring), token)
                .getScoreBreakdown(GetScoreBreakdownRequest.newBuilder()
                        .setPage(PageRequest.newBuilder().setPageSize(500)).build());
        return page.getEntriesList();
    }

    @Test
    void aReportTravelsFromTheAgencyToTheParticipantsScoreWithItsProvenance() {
        String[] participant = enrolledParticipant();
        var accepted = greenway().submitReport(report(participant[0], "SYS_VOL_HOUR", 3,
                Instant.now().minusSeconds(3600)));
        assertThat(accepted.getRuleTableVersion()).isEqualTo(tableVersion);

        long score = Calls.eventually(PATIENCE, "the report reaching the score", () -> {
            long s = Calls.as(ScoreServiceGrpc.newBlockingStub(scoring), participant[1])
                    .getScore(GetScoreRequest.getDefaultInstance()).getScore();
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
        Instant base = Instant.now().minusSeconds(7200);
        try {
            for (int i = 0; i < 4; i++) {
                aliceReports.add(greenway().submitReport(report(alice[0], "SYS_FOOD_SORT", 0,
                        base.plusSeconds(i * 60L))).getReportId());
                bobReports.add(greenway().submitReport(report(bob[0], "SYS_VOL_HOUR", i + 1,
                        base.plusSeconds(i * 60L))).getReportId());
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
        assertThat(Calls.as(ScoreServiceGrpc.newBlockingStub(scoring), alice[1])
                .getScore(GetScoreRequest.getDefaultInstance()).getScore()).isEqualTo(4 * 7);
        assertThat(Calls.as(ScoreServiceGrpc.newBlockingStub(scoring), bob[1])
                .getScore(GetScoreRequest.getDefaultInstance()).getScore()).isEqualTo(5 * (1 + 2 + 3 + 4));
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
