package org.civiccredit.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.reports.v1.ContestReportRequest;
import org.civiccredit.api.reports.v1.ContestServiceGrpc;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.WithdrawRequest;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc;
import org.civiccredit.api.rewards.v1.VerifyLedgerRequest;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Withdrawal completes in every service and leaves no personal data in any database; each service's audit
 * chain detects a row changed behind its back.
 */
@SystemUnderTest
class ErasureAndAuditIT {

    private static final List<String> SERVICES = List.of("reports", "scoring", "rewards");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Program program;

    @BeforeAll
    static void publishRules(RunningSystem running) {
        program = new Program(running);
        program.publish("erasure system tests",
                Program.rule("SYS_VOL_HOUR", ConductCategory.VOLUNTEERING, 5, true, 2),
                Program.rule("SYS_FOOD_SORT", ConductCategory.COMMUNITY_IMPROVEMENT, 7, false, 3),
                Program.rule("SYS_MISSED_SHIFT", ConductCategory.PROGRAM_CONDUCT, -4, false, 0));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        program.close();
    }

    @Test
    void withdrawalLeavesNoPersonalDataInAnyDatabaseAndTheLedgerStillVerifies() throws InterruptedException {
        Program.Participant p = program.enrolledParticipant();
        List<Report> reports = new ArrayList<>();
        reports.add(program.submitWhenRuleKnown(p.id(), "SYS_VOL_HOUR", 2));
        reports.add(program.submitWhenRuleKnown(p.id(), "SYS_FOOD_SORT", 0));
        reports.add(program.submitWhenRuleKnown(p.id(), "SYS_MISSED_SHIFT", 0));
        Calls.eventually(Program.PATIENCE, "both awards in the wallet", () -> Calls.as(
                WalletServiceGrpc.newBlockingStub(program.rewards), p.token()).getWallet(
                        GetWalletRequest.newBuilder().setIncludeClosedLots(true).build()).getLotsCount() == 2
                                ? true : null);
        String statement = "statement-" + UUID.randomUUID() + ": I was at my daughter's school that evening.";
        Calls.as(ContestServiceGrpc.newBlockingStub(program.reports), p.token()).contestReport(
                ContestReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .setReportId(reports.get(2).getReportId()).setStatement(statement).build());

        List<String> personal = new ArrayList<>(List.of(p.person().userId(), p.person().username(),
                p.person().email(), statement.substring(0, 46)));
        reports.forEach(r -> personal.add(r.getEvidenceRef()));
        assertThat(SERVICES.stream().flatMap(s -> Databases.occurrences(s, personal).stream()))
                .as("before withdrawal the services hold the person's data (so the search below can find it)")
                .isNotEmpty();

        Calls.as(EnrollmentServiceGrpc.newBlockingStub(program.reports), p.token()).withdraw(
                WithdrawRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString()).build());

        List<String> left = List.of();
        for (long deadline = System.nanoTime() + Program.PATIENCE.toNanos(); System.nanoTime() < deadline; ) {
            left = SERVICES.stream().flatMap(s -> Databases.occurrences(s, personal).stream()).toList();
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(left).as("personal data left after withdrawal").isEmpty();
        assertThat(Calls.as(LedgerServiceGrpc.newBlockingStub(program.rewards),
                Keycloak.clientToken("civic-admin-cli")).verifyLedger(VerifyLedgerRequest.getDefaultInstance())
                .getBalanced()).isTrue();
    }

    @Test
    void eachServicesAuditChainVerifiesAndNamesTheFirstRowChangedBehindItsBack() throws Exception {
        Program.Participant p = program.enrolledParticipant(); // a recorded change in each service
        Calls.eventually(Program.PATIENCE, "registration reaching rewards-service", () -> Calls.as(
                WalletServiceGrpc.newBlockingStub(program.rewards), p.token()).getWallet(
                        GetWalletRequest.getDefaultInstance()));
        for (String service : SERVICES) {
            JsonNode intact = verification(service);
            assertThat(intact.get("intact").asBoolean()).as(service).isTrue();
            long entries = intact.get("entriesVerified").asLong();
            assertThat(entries).as(service).isPositive();

            // The chain's order is the order entries were sealed in, which may differ from their numbers (an entry
            // numbered earlier may commit later): pick a sealed entry by its place in the chain.
            long position = Math.max(1, entries / 2);
            long seq = ((Number) Databases.single(service, "SELECT seq FROM audit_log WHERE chain_pos = ?", position))
                    .longValue();
            assertThatThrownBy(() -> Databases.execute(service,
                    "UPDATE audit_log SET actor = 'someone-else' WHERE seq = ?", seq))
                    .as("the table refuses changes").hasMessageContaining("append-only");
            String original = (String) Databases.single(service, "SELECT actor FROM audit_log WHERE seq = ?", seq);
            tamper(service, seq, "someone-else");
            try {
                JsonNode broken = verification(service);
                assertThat(broken.get("intact").asBoolean()).as(service).isFalse();
                assertThat(broken.get("firstBrokenSeq").asLong()).as(service).isEqualTo(seq);
                assertThat(broken.get("entriesVerified").asLong()).as(service).isEqualTo(position - 1);
            } finally {
                tamper(service, seq, original);
            }
            assertThat(verification(service).get("intact").asBoolean()).as(service + " restored").isTrue();
        }
    }

    /** An intruder with the database owner's rights switches the guard off and rewrites one entry's actor. */
    private static void tamper(String service, long seq, String actor) {
        Databases.execute(service, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change");
        try {
            Databases.execute(service, "UPDATE audit_log SET actor = ? WHERE seq = ?", actor, seq);
        } finally {
            Databases.execute(service, "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change");
        }
    }

    private static JsonNode verification(String service) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://"
                + program.system.service(service).target() + "/api/v1/admin/audit/verification"))
                .header("Authorization", "Bearer " + Keycloak.clientToken("civic-admin-cli")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(service + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
