package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.MISSED;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.register;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.agroal.api.AgroalDataSource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.FreezeAwardRequest;
import org.civiccredit.api.rewards.v1.ReleaseAwardRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardRequest;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.api.scoring.v1.UnfreezeEventRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Awards travel to rewards-service through the outbox, written in the transaction of the score event: one
 * AwardPoints row per report with points (replays add none), and FreezeAward, ReleaseAward and ReverseAward
 * rows when an awarded event is frozen, unfrozen or reversed, all in the participant's stream.
 */
@QuarkusTest
class AwardOutboxGrpcServiceTest {

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
    void anAppliedReportWithPointsWritesExactlyOneAwardAndReplaysWriteNone() throws Exception {
        String participant = register(internal, newId());
        ApplyReportRequest hours = report(version, participant, VOL, 3, daysAgo(1));
        ScoreEvent event = internal.applyReport(hours);
        internal.applyReport(hours);
        internal.applyReport(hours.toBuilder().setIdempotencyKey(newId()).build());

        List<Row> rows = rowsOf(participant);
        assertThat(rows).extracting(Row::kind).containsExactly("REWARDS_AWARD_POINTS");
        Row award = rows.get(0);
        assertThat(award.target()).isEqualTo("rewards");
        assertThat(award.reportId()).isEqualTo(event.getReportId());
        AwardPointsRequest request = AwardPointsRequest.parseFrom(award.payload());
        assertThat(request.getReportId()).isEqualTo(event.getReportId());
        assertThat(request.getParticipantId()).isEqualTo(participant);
        assertThat(request.getPoints()).as("10 points per counted hour").isEqualTo(30);
        assertThat(request.getRuleCode()).isEqualTo(VOL);
        assertThat(request.getRuleTableVersion()).isEqualTo(version);
        assertThat(request.getIdempotencyKey()).isNotBlank();
    }

    @Test
    void freezeReleaseAndReversalOfAnAwardedEventFollowItsAwardInTheParticipantsStream() throws Exception {
        String participant = register(internal, newId());
        ScoreEvent shift = internal.applyReport(report(version, participant, SHIFT, 0, daysAgo(1)));
        FreezeEventRequest freeze = FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(shift.getReportId()).build();
        internal.freezeEvent(freeze);
        internal.freezeEvent(freeze.toBuilder().setIdempotencyKey(newId()).build());
        internal.unfreezeEvent(UnfreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(shift.getReportId()).build());
        ReverseEventRequest reverse = ReverseEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(shift.getReportId()).setReason("the agency withdrew the report")
                .setCause(ReversalCause.REVERSAL_CAUSE_REPORT_WITHDRAWN).build();
        internal.reverseEvent(reverse);
        internal.reverseEvent(reverse.toBuilder().setIdempotencyKey(newId()).build());

        List<Row> rows = rowsOf(participant);
        assertThat(rows).extracting(Row::kind).containsExactly("REWARDS_AWARD_POINTS", "REWARDS_FREEZE_AWARD",
                "REWARDS_RELEASE_AWARD", "REWARDS_REVERSE_AWARD");
        assertThat(rows).extracting(Row::reportId).containsOnly(shift.getReportId());
        assertThat(AwardPointsRequest.parseFrom(rows.get(0).payload()).getPoints()).isEqualTo(4);
        assertThat(FreezeAwardRequest.parseFrom(rows.get(1).payload()).getReportId()).isEqualTo(shift.getReportId());
        assertThat(ReleaseAwardRequest.parseFrom(rows.get(2).payload()).getReportId()).isEqualTo(shift.getReportId());
        ReverseAwardRequest reversal = ReverseAwardRequest.parseFrom(rows.get(3).payload());
        assertThat(reversal.getReportId()).isEqualTo(shift.getReportId());
        assertThat(reversal.getReason()).isEqualTo("the agency withdrew the report");
        assertThat(rows).extracting(r -> parseKey(r)).doesNotHaveDuplicates();
    }

    @Test
    void anEventWithoutPointsSendsNothingToRewards() throws Exception {
        String participant = register(internal, newId());
        ScoreEvent missed = internal.applyReport(report(version, participant, MISSED, 0, daysAgo(1)));
        internal.freezeEvent(FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(missed.getReportId()).build());
        internal.reverseEvent(ReverseEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(missed.getReportId()).setReason("overturned")
                .setCause(ReversalCause.REVERSAL_CAUSE_CONTEST_OVERTURNED).build());
        assertThat(rowsOf(participant)).isEmpty();
    }

    private record Row(String target, String kind, String reportId, byte[] payload) {
    }

    private List<Row> rowsOf(String participant) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT target, kind, CAST(report_id AS varchar), payload FROM outbox WHERE stream = ? ORDER BY id")) {
            s.setString(1, participant);
            List<Row> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new Row(r.getString(1), r.getString(2), r.getString(3), r.getBytes(4)));
                }
            }
            return rows;
        }
    }

    private static String parseKey(Row row) {
        try {
            return switch (row.kind()) {
                case "REWARDS_AWARD_POINTS" -> AwardPointsRequest.parseFrom(row.payload()).getIdempotencyKey();
                case "REWARDS_FREEZE_AWARD" -> FreezeAwardRequest.parseFrom(row.payload()).getIdempotencyKey();
                case "REWARDS_RELEASE_AWARD" -> ReleaseAwardRequest.parseFrom(row.payload()).getIdempotencyKey();
                default -> ReverseAwardRequest.parseFrom(row.payload()).getIdempotencyKey();
            };
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
