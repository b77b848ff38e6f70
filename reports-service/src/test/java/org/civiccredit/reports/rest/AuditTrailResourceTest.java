package org.civiccredit.reports.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import com.google.protobuf.Timestamp;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc.ReportServiceBlockingStub;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.Occurred;
import org.civiccredit.kit.testing.PoolWarnings;
import org.civiccredit.reports.grpc.IntakeFixtures;
import org.civiccredit.reports.relay.ReportsOutboxDelivery;
import org.civiccredit.reports.service.RuleCatalog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * reports-service's audit chain: every change appends an entry (calls over HTTP and gRPC, and what happens
 * outside a call), an admin verifies the chain over HTTP, a row changed behind the log's back is reported as
 * the first broken link, and the table refuses plain UPDATE, DELETE and TRUNCATE.
 */
@QuarkusTest
class AuditTrailResourceTest {

    private static final String VERIFICATION = "/api/v1/admin/audit/verification";

    @GrpcClient("self")
    ReportServiceBlockingStub reports;

    @GrpcClient("self")
    EnrollmentServiceBlockingStub enrollment;

    @GrpcClient("self")
    AgencyServiceBlockingStub agencies;

    @Inject
    RuleCatalog catalog;

    @Inject
    ReportsOutboxDelivery delivery;

    @Inject
    EntityManager em;

    private String[] participant;

    @BeforeEach
    void setUp() {
        IntakeFixtures.ruleTable(catalog);
        IntakeFixtures.agencies(agencies);
        participant = IntakeFixtures.enrolledParticipant(enrollment);
    }

    private Report submitted(String note) {
        return BearerAuth.as(reports, DemoTokens.agencyGreenway()).submitReport(SubmitReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setParticipantId(participant[0])
                .setRuleCode("FOOD_SORT").setOccurredAt(Timestamp.newBuilder()
                        .setSeconds(Occurred.ago(Duration.ofMinutes(10)).getEpochSecond()))
                .setEvidenceRef("sha256:" + "12".repeat(32)).setNote(note).build());
    }

    private String contested(Report report) {
        return given().auth().oauth2(participant[1]).header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON).body("{\"statement\": \"I was not there\"}")
                .post("/api/v1/me/reports/" + report.getReportId() + "/contest").then().statusCode(201).extract()
                .path("contestId");
    }

    private static ValidatableResponse verification(String adminToken) {
        return given().auth().oauth2(adminToken).get(VERIFICATION).then().statusCode(200)
                .contentType(ContentType.JSON);
    }

    /** The one entry whose action is {@code action} and whose refs name {@code ref}: [seq, actor, refs]. */
    private Object[] entry(String action, String ref) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT seq, actor, refs FROM audit_log WHERE action = ?1 "
                + "AND position(?2 in refs) > 0").setParameter(1, action).setParameter(2, ref).getResultList();
        assertThat(rows).as(action + " " + ref).hasSize(1);
        return rows.get(0);
    }

    /**
     * An entry's position in the sealed chain (set by the sealing that every verification runs first). Positions
     * have no gaps; sequence numbers may (an append whose transaction rolled back used one).
     */
    private long chainPosition(long seq) {
        return ((Number) em.createNativeQuery("SELECT chain_pos FROM audit_log WHERE seq = ?1").setParameter(1, seq)
                .getSingleResult()).longValue();
    }

    private void behindTheLogsBack(String sql) {
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change").executeUpdate();
            em.createNativeQuery(sql).executeUpdate();
            em.createNativeQuery("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change").executeUpdate();
        });
    }

    @Test
    void everyCallLeavesAnEntryWithoutPersonalDataAndTheChainVerifies() {
        Report report = submitted("Sorted the Monday delivery");
        String contestId = contested(report);

        Object[] submit = entry("SubmitReport", "report_id=" + report.getReportId());
        assertThat(submit[1]).isEqualTo("agency:greenway-volunteers");
        Object[] contest = entry("ContestReport", "contest_id=" + contestId);
        assertThat(contest[1]).isEqualTo("participant");
        assertThat((String) contest[2]).doesNotContain(participant[0]);
        assertThat(((Number) contest[0]).longValue()).isGreaterThan(((Number) submit[0]).longValue());

        verification(DemoTokens.adminClient()).body("intact", equalTo(true)).body("firstBrokenSeq", equalTo(0))
                .body("entriesVerified", greaterThanOrEqualTo((int) chainPosition(((Number) contest[0]).longValue())));
    }

    @Test
    void aRowChangedBehindTheLogsBackIsReportedAsTheFirstBrokenLink() {
        String contestId = contested(submitted("Sorted the Tuesday delivery"));
        Object[] contest = entry("ContestReport", "contest_id=" + contestId);
        long seq = ((Number) contest[0]).longValue();
        verification(DemoTokens.adminUser()).body("intact", equalTo(true));
        long position = chainPosition(seq);

        behindTheLogsBack("UPDATE audit_log SET actor = 'reviewer:someone-else' WHERE seq = " + seq);
        try {
            verification(DemoTokens.adminUser()).body("intact", equalTo(false))
                    .body("firstBrokenSeq", equalTo((int) seq))
                    .body("entriesVerified", equalTo((int) position - 1))
                    .body("problem", containsString("altered"));
        } finally {
            behindTheLogsBack("UPDATE audit_log SET actor = '" + contest[1] + "' WHERE seq = " + seq);
        }
        verification(DemoTokens.adminUser()).body("intact", equalTo(true));
    }

    @Test
    void theTableRefusesUpdateDeleteAndTruncate() {
        String contestId = contested(submitted("Sorted the Wednesday delivery"));
        long seq = ((Number) entry("ContestReport", "contest_id=" + contestId)[0]).longValue();
        for (String sql : List.of("UPDATE audit_log SET actor = 'nobody' WHERE seq = " + seq,
                "DELETE FROM audit_log WHERE seq = " + seq, "TRUNCATE audit_log")) {
            assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(sql)
                    .executeUpdate())).as(sql).hasStackTraceContaining("audit_log is append-only");
        }
        assertThat(entry("ContestReport", "contest_id=" + contestId)[1]).isEqualTo("participant");
    }

    @Test
    void changesMadeOutsideACallAreAuditedTooAndOnlyWhenTheyCommit() {
        Report rolledBack = submitted("Sorted the Thursday delivery");
        Report alongside = submitted("Sorted the Friday delivery");
        List<UUID> batch = List.of(UUID.fromString(rolledBack.getReportId()), UUID.fromString(alongside.getReportId()));
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            delivery.delivered("SCORING_APPLY_REPORT", batch);
            throw new IllegalStateException("the relay's transaction fails");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(em.createNativeQuery("SELECT count(*) FROM audit_log WHERE action = 'relay:report-scored' "
                + "AND refs = ?1").setParameter(1, "report_id=" + rolledBack.getReportId()).getSingleResult())
                .isEqualTo(0L);

        try (PoolWarnings pool = PoolWarnings.watch()) {
            QuarkusTransaction.requiringNew().run(() -> delivery.delivered("SCORING_APPLY_REPORT", batch));
            // The entries were appended while the relay's transaction held its connection (not after Hibernate had
            // released it for the commit, when the pool would take it back by force).
            assertThat(pool.seen()).as("connection pool warnings").isEmpty();
        }
        Object[] first = entry("relay:report-scored", "report_id=" + rolledBack.getReportId());
        Object[] second = entry("relay:report-scored", "report_id=" + alongside.getReportId());
        assertThat(first[1]).isEqualTo("system");
        assertThat(((Number) first[0]).longValue()).as("one call's entries in the order of its reports")
                .isLessThan(((Number) second[0]).longValue());
        assertThat(em.createNativeQuery("SELECT status FROM report WHERE report_id = ?1")
                .setParameter(1, UUID.fromString(rolledBack.getReportId())).getSingleResult()).isEqualTo("SCORED");

        long before = refusalEntries();
        assertThatThrownBy(() -> submitted("She was late because of her religion"))
                .hasMessageContaining("FAILED_PRECONDITION");
        assertThat(refusalEntries()).isEqualTo(before + 1);
        verification(DemoTokens.adminClient()).body("intact", equalTo(true));
    }

    private long refusalEntries() {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM audit_log WHERE action = 'intake:refusal-counted' "
                + "AND actor = 'agency:greenway-volunteers' AND refs = 'agency_id=greenway-volunteers,"
                + "reason=PROTECTED_GROUND,ground=RELIGION_OR_BELIEF'").getSingleResult()).longValue();
    }
}
