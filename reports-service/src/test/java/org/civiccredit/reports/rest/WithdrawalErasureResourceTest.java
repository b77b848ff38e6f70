package org.civiccredit.reports.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.ContestServiceGrpc.ContestServiceBlockingStub;
import org.civiccredit.api.reports.v1.DecideContestRequest;
import org.civiccredit.api.reports.v1.Decision;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc.ReportServiceBlockingStub;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.api.reports.v1.WithdrawReportRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.Occurred;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.reports.grpc.IntakeFixtures;
import org.civiccredit.reports.service.AgencyCounts;
import org.civiccredit.reports.service.RuleCatalog;
import org.junit.jupiter.api.Test;

/**
 * After a participant withdraws, nothing in reports-service's database names them: every text and binary
 * column of every table is searched for their Keycloak subject, user name, e-mail address and the words
 * written by them, to them or about them. What remains is pseudonymous and still counts for the agencies.
 */
@QuarkusTest
class WithdrawalErasureResourceTest {

    @GrpcClient("self")
    ReportServiceBlockingStub reports;

    @GrpcClient("self")
    AgencyServiceBlockingStub agencies;

    @GrpcClient("self")
    ContestServiceBlockingStub contests;

    @Inject
    RuleCatalog catalog;

    @Inject
    AgencyCounts counts;

    @Inject
    EntityManager em;

    private Report submitted(String participantId, String note, String evidence) {
        return BearerAuth.as(reports, DemoTokens.agencyGreenway()).submitReport(SubmitReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setParticipantId(participantId)
                .setRuleCode("FOOD_SORT").setOccurredAt(Timestamp.newBuilder()
                        .setSeconds(Occurred.ago(Duration.ofMinutes(15)).getEpochSecond()))
                .setEvidenceRef(evidence).setNote(note).build());
    }

    @Test
    void afterWithdrawalNoTableHoldsAnythingThatNamesTheParticipant() {
        IntakeFixtures.ruleTable(catalog);
        IntakeFixtures.agencies(agencies);
        TestParticipants.TestUser person = TestParticipants.create();
        String email = person.username() + "@example.org";
        String statement = "Statement " + UUID.randomUUID() + ": I was at my sister's that evening";
        String reason = "Reason " + UUID.randomUUID() + " quoting: at my sister's";
        String key = UUID.randomUUID().toString();

        String participantId = given().auth().oauth2(person.token()).header("Idempotency-Key", key)
                .contentType(ContentType.JSON).body("{\"consentVersion\": 1}").post("/api/v1/me/enrollment").then()
                .statusCode(201).extract().path("enrollment.participantId");
        Report contested = submitted(participantId, "Helped " + person.username() + " sort the delivery",
                "https://evidence.example.org/rota/" + person.username());
        Report withdrawn = submitted(participantId, "Shift with " + email, "sha256:" + "34".repeat(32));
        String contestId = given().auth().oauth2(person.token()).header("Idempotency-Key", UUID.randomUUID())
                .contentType(ContentType.JSON).body("{\"statement\": \"" + statement + "\"}")
                .post("/api/v1/me/reports/" + contested.getReportId() + "/contest").then().statusCode(201).extract()
                .path("contestId");
        BearerAuth.as(contests, DemoTokens.reviewer()).decideContest(DecideContestRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setContestId(contestId)
                .setDecision(Decision.DECISION_UPHOLD).setReason(reason).build());
        BearerAuth.as(reports, DemoTokens.agencyGreenway()).withdrawReport(WithdrawReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(withdrawn.getReportId())
                .setReason("Entered for " + person.username() + " by mistake").build());

        List<String> needles = List.of(person.userId(), person.username(), email, statement, reason);
        // The search finds what it looks for: before the withdrawal each of these is held somewhere.
        assertThat(placesHolding(person.userId())).contains("participant.subject", "idempotency_key.scope",
                "idempotency_key.response", "outbox.payload");
        assertThat(placesHolding(statement)).contains("contest.statement", "idempotency_key.response");
        assertThat(placesHolding(reason)).contains("contest.decision_reason");
        assertThat(placesHolding(email)).contains("report.note");
        assertThat(placesHolding(person.username())).contains("report.evidence_ref", "report.withdrawal_reason");
        long reportsBefore = counts.of("greenway-volunteers", Instant.now().minusSeconds(3600),
                Instant.now().plusSeconds(3600)).reportsAccepted();

        given().auth().oauth2(person.token()).header("Idempotency-Key", UUID.randomUUID())
                .post("/api/v1/me/enrollment/withdrawal").then().statusCode(200).body("wasEnrolled", equalTo(true));

        for (String needle : needles) {
            assertThat(placesHolding(needle)).as("places still holding " + needle).isEmpty();
        }
        // The pseudonymous rows stay: the agency's accountability counts do not change.
        assertThat(counts.of("greenway-volunteers", Instant.now().minusSeconds(3600), Instant.now().plusSeconds(3600))
                .reportsAccepted()).isEqualTo(reportsBefore);
        assertThat(em.createNativeQuery("SELECT state FROM contest WHERE contest_id = ?1")
                .setParameter(1, UUID.fromString(contestId)).getSingleResult()).isEqualTo("UPHELD");
        @SuppressWarnings("unchecked")
        List<Object[]> outbox = em.createNativeQuery("SELECT kind, delivered_at IS NULL, outcome FROM outbox "
                + "WHERE stream = ?1 ORDER BY id").setParameter(1, participantId).getResultList();
        assertThat(outbox).filteredOn(r -> (Boolean) r[1]).extracting(r -> r[0])
                .containsExactlyInAnyOrder("SCORING_ERASE_PARTICIPANT", "REWARDS_ERASE_PARTICIPANT");
        assertThat(outbox).filteredOn(r -> !(Boolean) r[1]).extracting(r -> r[2])
                .containsOnly("SKIPPED participant withdrew");
    }

    /** Every {@code table.column} of text or binary type in which some row contains {@code needle}. */
    private List<String> placesHolding(String needle) {
        @SuppressWarnings("unchecked")
        List<Object[]> columns = em.createNativeQuery("""
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'bytea',
                    'json', 'jsonb')
                ORDER BY table_name, column_name""").getResultList();
        assertThat(columns).hasSizeGreaterThan(20);
        List<String> places = new ArrayList<>();
        for (Object[] c : columns) {
            String condition = c[2].equals("bytea") ? "position(convert_to(?1, 'UTF8') in \"%s\") > 0"
                    : "strpos(\"%s\"::text, ?1) > 0";
            Object hits = em.createNativeQuery("SELECT count(*) FROM \"" + c[0] + "\" WHERE "
                    + condition.formatted(c[1])).setParameter(1, needle).getSingleResult();
            if (((Number) hits).longValue() > 0) {
                places.add(c[0] + "." + c[1]);
            }
        }
        return places;
    }
}
