package org.civiccredit.scoring.grpc;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.fixedRule;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.refused;
import static org.civiccredit.scoring.grpc.ScoringFixtures.registration;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.api.scoring.v1.UnfreezeEventRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.scoring.service.ScoreExpiries;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * scoring-service's audit chain: every change made by ScoringInternalService (idempotent on report and
 * participant ids, not by key) and by the expiry sweep appends exactly one entry, naming records but never the
 * participant; redeliveries and refused calls append none; the admin endpoint verifies the chain and names a
 * tampered entry as its first broken link.
 */
@QuarkusTest
class AuditGrpcServiceTest {

    private static final String VERIFICATION = "/api/v1/admin/audit/verification";
    private static final String REPORTS_SERVICE = "service:reports-service";

    @GrpcClient("self")
    ScoringInternalServiceBlockingStub internalClient;

    @GrpcClient("self")
    RuleTableServiceBlockingStub ruleTables;

    @Inject
    AgroalDataSource db;

    ScoringInternalServiceBlockingStub internal;
    long version;

    @BeforeEach
    void setUp() {
        internal = BearerAuth.as(internalClient, DemoTokens.service());
        version = ScoringFixtures.publishTestTable(ruleTables);
    }

    @Test
    void eachChangeAppendsOneEntryNamingItsRecordsAndARedeliveryNone() {
        String subject = newId();
        String participant = newId();
        long mark = AuditEntries.last(db);

        RegisterParticipantRequest registration = registration(participant, subject);
        internal.registerParticipant(registration);
        assertThat(AuditEntries.byCallsAfter(db, mark)).containsExactly("RegisterParticipant | " + REPORTS_SERVICE
                + " | ");
        internal.registerParticipant(registration.toBuilder().setIdempotencyKey(newId()).build());
        assertThat(AuditEntries.byCallsAfter(db, mark)).hasSize(1);

        ApplyReportRequest shift = report(version, participant, SHIFT, 0, daysAgo(1));
        ScoreEvent event = internal.applyReport(shift);
        String reportId = shift.getReportId();
        String eventId = event.getEventId();
        internal.applyReport(shift.toBuilder().setIdempotencyKey(newId()).build());
        refused(Status.Code.FAILED_PRECONDITION, () -> internal.applyReport(report(version + 1000, participant,
                SHIFT, 0, daysAgo(1))));

        FreezeEventRequest freeze = FreezeEventRequest.newBuilder().setIdempotencyKey(newId()).setReportId(reportId)
                .build();
        internal.freezeEvent(freeze);
        internal.freezeEvent(freeze.toBuilder().setIdempotencyKey(newId()).build());
        UnfreezeEventRequest unfreeze = UnfreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(reportId).build();
        internal.unfreezeEvent(unfreeze);
        internal.unfreezeEvent(unfreeze.toBuilder().setIdempotencyKey(newId()).build());
        ReverseEventRequest reverse = ReverseEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(reportId).setReason("overturned on review")
                .setCause(ReversalCause.REVERSAL_CAUSE_CONTEST_OVERTURNED).build();
        internal.reverseEvent(reverse);
        internal.reverseEvent(reverse.toBuilder().setIdempotencyKey(newId()).build());
        refused(Status.Code.FAILED_PRECONDITION, () -> internal.freezeEvent(freeze.toBuilder()
                .setIdempotencyKey(newId()).build()));
        EraseParticipantRequest erase = EraseParticipantRequest.newBuilder().setIdempotencyKey(newId())
                .setParticipantId(participant).build();
        internal.eraseParticipant(erase);
        internal.eraseParticipant(erase.toBuilder().setIdempotencyKey(newId()).build());

        String onEvent = "report_id=" + reportId + ",event_id=" + eventId + ",agency_id=greenway-volunteers";
        assertThat(AuditEntries.byCallsAfter(db, mark)).containsExactly(
                "RegisterParticipant | " + REPORTS_SERVICE + " | ",
                "ApplyReport | " + REPORTS_SERVICE + " | report_id=" + reportId
                        + ",agency_id=greenway-volunteers,event_id=" + eventId,
                "FreezeEvent | " + REPORTS_SERVICE + " | " + onEvent,
                "UnfreezeEvent | " + REPORTS_SERVICE + " | " + onEvent,
                "ReverseEvent | " + REPORTS_SERVICE + " | " + onEvent,
                "EraseParticipant | " + REPORTS_SERVICE + " | ");
        assertThat(String.join("\n", AuditEntries.after(db, mark))).doesNotContain(participant)
                .doesNotContain(subject).doesNotContain(shift.getEvidenceRef());
    }

    @Test
    void anEndedCountingWindowIsAuditedOnceBySweep() throws Exception {
        String brief = "T_AUDIT_" + newId().substring(0, 8).toUpperCase();
        long table = ScoringFixtures.publishTable(ruleTables, List.of(fixedRule(brief, 6, 0, Duration.ofSeconds(2))));
        String participant = ScoringFixtures.register(internal, newId());
        long mark = AuditEntries.last(db);
        ScoreEvent shortLived = internal.applyReport(report(table, participant, brief, 0, Instant.now()));
        String ref = "event_id=" + shortLived.getEventId();

        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (sweepEntriesNaming(mark, ref).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        // The participant has nothing left that counts: no later sweep touches them again.
        Thread.sleep(2_000);
        assertThat(sweepEntriesNaming(mark, ref)).hasSize(1).allSatisfy(entry -> assertThat(entry)
                .startsWith(ScoreExpiries.AUDIT_ACTION + " | " + ScoreExpiries.AUDIT_ACTOR + " | ")
                .doesNotContain(participant));
    }

    @Test
    void theAdminVerifiesTheChainAndATamperedEntryIsTheFirstBrokenLink() throws Exception {
        String participant = ScoringFixtures.register(internal, newId());
        long mark = AuditEntries.last(db);
        ScoreEvent event = internal.applyReport(report(version, participant, SHIFT, 0, daysAgo(1)));
        long tampered = seqOfEntryNaming(mark, event.getEventId());

        JsonPath intact = verification();
        assertThat(intact.getBoolean("intact")).isTrue();
        assertThat(intact.getLong("firstBrokenSeq")).isZero();
        long position = chainPosition(tampered);
        assertThat(intact.getLong("entriesVerified")).isGreaterThanOrEqualTo(position);

        String original = refsOf(tampered);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE audit_log SET refs = 'report_id=other' WHERE seq = "
                    + tampered)).isInstanceOf(SQLException.class).hasMessageContaining("append-only");
        }
        try {
            rewrite(tampered, "report_id=someone-elses-report");
            JsonPath broken = verification();
            assertThat(broken.getBoolean("intact")).isFalse();
            assertThat(broken.getLong("firstBrokenSeq")).isEqualTo(tampered);
            assertThat(broken.getLong("entriesVerified")).isEqualTo(position - 1);
            assertThat(broken.getString("problem")).contains("altered");
        } finally {
            rewrite(tampered, original);
        }
        assertThat(verification().getBoolean("intact")).isTrue();

        given().get(VERIFICATION).then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer " + DemoTokens.service()).get(VERIFICATION).then().statusCode(403)
                .contentType("application/problem+json").body("reason", equalTo("PERMISSION_DENIED"));
    }

    private static JsonPath verification() {
        return given().header("Authorization", "Bearer " + DemoTokens.adminClient()).get(VERIFICATION).then()
                .statusCode(200).contentType("application/json").extract().jsonPath();
    }

    private List<String> sweepEntriesNaming(long mark, String ref) {
        return AuditEntries.after(db, mark).stream().filter(e -> e.startsWith(ScoreExpiries.AUDIT_ACTION + " | ")
                && List.of(e.substring(e.lastIndexOf(" | ") + 3).split(",")).contains(ref)).toList();
    }

    private long seqOfEntryNaming(long mark, String eventId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT seq FROM audit_log WHERE seq > ? AND strpos(refs, ?) > 0")) {
            s.setLong(1, mark);
            s.setString(2, "event_id=" + eventId);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).as("an entry naming event " + eventId).isTrue();
                return r.getLong(1);
            }
        }
    }

    /**
     * An entry's position in the sealed chain (set by the sealing that every verification runs first). Positions
     * have no gaps; sequence numbers may (an append whose transaction rolled back used one).
     */
    private long chainPosition(long seq) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT chain_pos FROM audit_log WHERE seq = ?")) {
            s.setLong(1, seq);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private String refsOf(long seq) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT refs FROM audit_log WHERE seq = ?")) {
            s.setLong(1, seq);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }

    /** Changes an entry's refs as someone with table-owner rights could, past the append-only trigger. */
    private void rewrite(long seq, String refs) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement(); PreparedStatement update = c.prepareStatement(
                    "UPDATE audit_log SET refs = ? WHERE seq = ?")) {
                s.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change");
                update.setString(1, refs);
                update.setLong(2, seq);
                assertThat(update.executeUpdate()).isEqualTo(1);
                s.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change");
            }
            c.commit();
        }
    }
}
