package org.civiccredit.scoring.grpc;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.MISSED;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.scoring.cache.ScoreCache;
import org.civiccredit.scoring.relay.AwardOutbox;
import org.junit.jupiter.api.Test;

/**
 * Erasure leaves nothing of the person behind: after EraseParticipant, no text or bytea column of any table of
 * the scoring database holds their Keycloak subject or an evidence reference of a report about them (found
 * there before), the awards still waiting for rewards-service are cancelled without payload, and Redis holds
 * only the erasure's tombstone of their score.
 */
@QuarkusTest
class ErasureGrpcServiceTest {

    @GrpcClient("self")
    ScoringInternalServiceBlockingStub internalClient;

    @GrpcClient("self")
    RuleTableServiceBlockingStub ruleTables;

    @Inject
    AgroalDataSource db;

    @Inject
    RedisDataSource redis;

    @Inject
    ScoreCache cache;

    @Inject
    IdempotentCalls idempotentCalls;

    @Test
    void afterErasureNoColumnOfAnyTableHoldsTheSubjectOrAnEvidenceReference() throws Exception {
        ScoringInternalServiceBlockingStub internal = BearerAuth.as(internalClient, DemoTokens.service());
        long version = ScoringFixtures.publishTestTable(ruleTables);
        TestParticipants.TestUser user = TestParticipants.create();
        String participant = ScoringFixtures.register(internal, user.userId());
        ApplyReportRequest hours = report(version, participant, VOL, 2, daysAgo(3));
        ApplyReportRequest shift = report(version, participant, SHIFT, 0, daysAgo(2));
        ApplyReportRequest missed = report(version, participant, MISSED, 0, daysAgo(1));
        for (ApplyReportRequest r : List.of(hours, shift, missed)) {
            internal.applyReport(r);
        }
        internal.freezeEvent(FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(missed.getReportId()).build());
        internal.reverseEvent(ReverseEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(shift.getReportId()).setReason("overturned on review")
                .setCause(ReversalCause.REVERSAL_CAUSE_CONTEST_OVERTURNED).build());
        given().header("Authorization", "Bearer " + user.token()).get("/api/v1/me/score").then().statusCode(200)
                .body("score", equalTo("10"));
        // scoring's own calls about participants are idempotent on report and participant ids and store no
        // answers; a stored call of IdempotentCalls (as any key-idempotent call about the participant would
        // leave) stands for those a later change may add, which erasure must forget.
        QuarkusTransaction.requiringNew().run(() -> idempotentCalls.once("erasure-test/ApplyReport", newId(),
                hours, ScoreEvent.parser(), () -> ScoreEvent.newBuilder().setParticipantId(participant)
                        .setEvidenceRef(hours.getEvidenceRef()).build()));

        List<String> personal = List.of(user.userId(), hours.getEvidenceRef(), shift.getEvidenceRef(),
                missed.getEvidenceRef());
        Map<String, List<String>> before = columnsHolding(personal);
        assertThat(before.get(user.userId())).containsExactly("participant.keycloak_subject");
        assertThat(before.get(hours.getEvidenceRef())).containsExactlyInAnyOrder("idempotency_key.response",
                "score_event.evidence_ref");
        assertThat(before.get(shift.getEvidenceRef())).containsExactly("score_event.evidence_ref");
        assertThat(outboxOf(participant)).as("awards waiting for rewards-service (not running in tests)")
                .isNotEmpty().allSatisfy(row -> assertThat(row).startsWith("pending"));
        assertThat(redisHolding(List.of(participant))).as("the cached score").isNotEmpty();

        internal.eraseParticipant(EraseParticipantRequest.newBuilder().setIdempotencyKey(newId())
                .setParticipantId(participant).build());

        assertThat(columnsHolding(personal)).allSatisfy((value, columns) -> assertThat(columns)
                .as("columns holding " + value).isEmpty());
        assertThat(outboxOf(participant)).isNotEmpty().allSatisfy(row -> assertThat(row)
                .isEqualTo("closed " + AwardOutbox.CANCELLED_BY_ERASURE + " payload 0 bytes"));
        assertThat(redisHolding(personal)).isEmpty();
        assertThat(redis.hash(String.class).hget(cache.key(participant), "erased")).as("the erasure's tombstone")
                .isEqualTo("1");
        given().header("Authorization", "Bearer " + user.token()).get("/api/v1/me/score").then().statusCode(409)
                .body("reason", equalTo("PARTICIPANT_NOT_ENROLLED"));
    }

    /** For each value, every {@code table.column} of text or bytea type in which some row contains it. */
    private Map<String, List<String>> columnsHolding(List<String> values) throws SQLException {
        Map<String, List<String>> found = new LinkedHashMap<>();
        values.forEach(v -> found.put(v, new ArrayList<>()));
        try (Connection c = db.getConnection()) {
            List<String[]> columns = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT col.table_name, col.column_name, col.data_type FROM information_schema.columns col
                    JOIN information_schema.tables t ON t.table_schema = col.table_schema
                        AND t.table_name = col.table_name AND t.table_type = 'BASE TABLE'
                    WHERE col.table_schema = current_schema() AND col.data_type IN
                        ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb')
                    ORDER BY col.table_name, col.column_name"""); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    columns.add(new String[] {r.getString(1), r.getString(2), r.getString(3)});
                }
            }
            assertThat(columns).as("the scan must see the tables it guards").extracting(col -> col[0])
                    .contains("participant", "score_event", "outbox", "idempotency_key", "audit_log");
            for (String[] col : columns) {
                String contains = col[2].equals("bytea")
                        ? "position(convert_to(?, 'UTF8') in \"%s\") > 0".formatted(col[1])
                        : "strpos(\"%s\"::text, ?) > 0".formatted(col[1]);
                try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM \"%s\" WHERE %s)"
                        .formatted(col[0], contains))) {
                    for (String value : values) {
                        s.setString(1, value);
                        try (ResultSet r = s.executeQuery()) {
                            r.next();
                            if (r.getBoolean(1)) {
                                found.get(value).add(col[0] + "." + col[1]);
                            }
                        }
                    }
                }
            }
        }
        return found;
    }

    /** The participant's outbox rows, each as its state, outcome and payload size. */
    private List<String> outboxOf(String participant) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT delivered_at IS NULL, outcome, length(payload) FROM outbox WHERE stream = ? ORDER BY id""")) {
            s.setString(1, participant);
            List<String> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(r.getBoolean(1) ? "pending" : "closed " + r.getString(2) + " payload " + r.getInt(3)
                            + " bytes");
                }
            }
            return rows;
        }
    }

    /** The Redis keys (of this test index) whose name or hash values contain one of the values. */
    private List<String> redisHolding(List<String> values) {
        List<String> found = new ArrayList<>();
        for (String key : redis.key().keys("*")) {
            List<String> content = new ArrayList<>(List.of(key));
            if (redis.key().type(key) == io.quarkus.redis.datasource.keys.RedisValueType.HASH) {
                content.addAll(redis.hash(String.class).hgetall(key).values());
            }
            if (content.stream().anyMatch(text -> values.stream().anyMatch(text::contains))) {
                found.add(key);
            }
        }
        return found;
    }
}
