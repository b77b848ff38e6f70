package org.civiccredit.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc;
import org.civiccredit.api.reports.v1.EnrollRequest;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc;
import org.civiccredit.api.reports.v1.RegisterAgencyRequest;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.api.scoring.v1.CapPeriod;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.PublishRuleTableRequest;
import org.civiccredit.api.scoring.v1.Rule;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.civiccredit.kit.testing.Occurred;

/**
 * The program as a system test sets it up and drives it: channels to the three services, the rule table,
 * the demo agencies, enrolled participants and agency reports.
 */
final class Program implements AutoCloseable {

    /** How long a change may take to travel between services in these tests. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    /**
     * Ample time between reports-service storing a rule table version and making it current (the next statement
     * of the same thread, after the commit).
     */
    private static final Duration CURRENT_AFTER_STORED = Duration.ofMillis(500);

    /** An enrolled participant: their participant id and the person behind it. */
    record Participant(String id, Keycloak.Person person) {
        String token() {
            return person.token();
        }
    }

    final RunningSystem system;
    final ManagedChannel reports;
    final ManagedChannel scoring;
    final ManagedChannel rewards;

    Program(RunningSystem system) {
        this.system = system;
        this.reports = Calls.channel(system.service("reports"));
        this.scoring = Calls.channel(system.service("scoring"));
        this.rewards = Calls.channel(system.service("rewards"));
    }

    /** A rule counting for a year with a generous weekly cap; per hour (at most 8) when {@code perUnit}. */
    static Rule rule(String code, ConductCategory category, long delta, boolean perUnit, long award) {
        Rule.Builder r = Rule.newBuilder().setCode(code).setCategory(category).setTitle(code)
                .setScoreDelta(delta).setAwardPoints(award).setCapPerPeriod(delta < 0 ? 40 : 10_000)
                .setCapPeriod(CapPeriod.CAP_PERIOD_WEEK)
                .setCountsFor(com.google.protobuf.Duration.newBuilder().setSeconds(365L * 86_400));
        if (perUnit) {
            r.setPerUnit(true).setUnitCap(8).setUnitName("hour");
        }
        return r.build();
    }

    /** Publishes a table of these rules and registers both demo agencies for every category; its version. */
    long publish(String notes, Rule... rules) {
        String admin = Keycloak.clientToken("civic-admin-cli");
        long version = Calls.as(RuleTableServiceGrpc.newBlockingStub(scoring), admin).publishRuleTable(
                PublishRuleTableRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .addAllRules(List.of(rules)).setNotes(notes).build()).getVersion();
        var agencies = Calls.as(AgencyServiceGrpc.newBlockingStub(reports), admin);
        for (String[] agency : new String[][] {{"greenway-volunteers", "agency-greenway"},
            {"northside-food-bank", "agency-northside"}}) {
            try {
                agencies.registerAgency(RegisterAgencyRequest.newBuilder()
                        .setIdempotencyKey(UUID.randomUUID().toString()).setAgencyId(agency[0])
                        .setDisplayName(agency[0]).setKeycloakClientId(agency[1])
                        .addAllowedCategories(ConductCategory.VOLUNTEERING)
                        .addAllowedCategories(ConductCategory.COMMUNITY_IMPROVEMENT)
                        .addAllowedCategories(ConductCategory.PROGRAM_CONDUCT).build());
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
            }
        }
        // reports-service fetches the current table every second in these tests (INTAKE_RULE_CATALOG_REFRESH,
        // RunningSystem): until it has, a rule code that was also in the previous table would be accepted under
        // the previous version. It stores a version and then makes it current in the same thread, a moment later.
        Calls.eventually(PATIENCE, "rule table version " + version + " reaching reports-service",
                () -> Databases.single("reports", "SELECT 1 FROM rule_catalog WHERE version = ? LIMIT 1", version));
        try {
            Thread.sleep(CURRENT_AFTER_STORED.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return version;
    }

    /** A new person with the participant role, enrolled, and known to scoring-service. */
    Participant enrolledParticipant() {
        Keycloak.Person person = Keycloak.newPerson("participant");
        String participantId = Calls.as(EnrollmentServiceGrpc.newBlockingStub(reports), person.token())
                .enroll(EnrollRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .setConsentVersion(1).build()).getEnrollment().getParticipantId();
        Calls.eventually(PATIENCE, "registration reaching scoring-service",
                () -> Calls.as(ScoreServiceGrpc.newBlockingStub(scoring), person.token())
                        .getScore(GetScoreRequest.getDefaultInstance()));
        return new Participant(participantId, person);
    }

    static SubmitReportRequest report(String participantId, String rule, int quantity, Instant occurred) {
        return SubmitReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setParticipantId(participantId).setRuleCode(rule).setQuantity(quantity)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(occurred.getEpochSecond()))
                .setEvidenceRef("https://greenway.example.org/shifts/" + UUID.randomUUID()).build();
    }

    ReportServiceGrpc.ReportServiceBlockingStub greenway() {
        return Calls.as(ReportServiceGrpc.newBlockingStub(reports), Keycloak.clientToken("agency-greenway"))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /**
     * Submits a report as greenway once reports-service knows the rule (it refreshes its copy of the rule
     * table every second, so a rule published a moment ago may be refused at first).
     */
    Report submitWhenRuleKnown(String participantId, String rule, int quantity) {
        return Calls.eventually(PATIENCE, "rule " + rule + " known to intake", () -> {
            try {
                return greenway().submitReport(report(participantId, rule, quantity,
                        Occurred.ago(Duration.ofHours(1))));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
                        && String.valueOf(e.getStatus().getDescription()).contains("table")) {
                    return null;
                }
                throw e;
            }
        });
    }

    /** The participant's score entries, newest first. */
    List<ScoreEvent> breakdown(String token) {
        return Calls.as(ScoreServiceGrpc.newBlockingStub(scoring), token)
                .getScoreBreakdown(GetScoreBreakdownRequest.newBuilder()
                        .setPage(PageRequest.newBuilder().setPageSize(500)).build()).getEntriesList();
    }

    long score(String token) {
        return Calls.as(ScoreServiceGrpc.newBlockingStub(scoring), token)
                .getScore(GetScoreRequest.getDefaultInstance()).getScore();
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel c : List.of(reports, scoring, rewards)) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
