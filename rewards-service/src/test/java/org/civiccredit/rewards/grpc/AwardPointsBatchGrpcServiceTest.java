package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.rewards.grpc.RewardsFixtures.refused;

import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.civiccredit.api.rewards.v1.AwardPointsBatchRequest;
import org.civiccredit.api.rewards.v1.AwardPointsBatchResponse;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.AwardPointsResult;
import org.civiccredit.api.rewards.v1.LotState;
import org.civiccredit.api.rewards.v1.RegisterParticipantRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.kit.grpc.ItemBatches;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.LeastIncrease;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AwardPointsBatch, scoring-service's relay's batched path: each award is made as AwardPoints makes it (same
 * lot, audit entry), the batch commits in one transaction and writes its lots together at commit, a refused award
 * answers only for itself, the same report twice in one batch is awarded once, and a redelivered batch changes
 * nothing.
 */
@QuarkusTest
class AwardPointsBatchGrpcServiceTest {

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internalClient;

    @Inject
    AgroalDataSource db;

    @Inject
    SessionFactory sessionFactory;

    RewardsInternalServiceBlockingStub internal;

    @BeforeEach
    void asTheScoringService() {
        internal = BearerAuth.as(internalClient, DemoTokens.service());
    }

    @Test
    void eachAwardIsMadeAsAwardPointsWouldAndTheBatchCommitsOnce() {
        List<String> participants = List.of(registered(), registered(), registered());
        List<AwardPointsRequest> awards = participants.stream().map(p -> award(p, 25)).toList();
        long before = auditEntries("AwardPoints");

        AwardPointsBatchResponse response = internal.awardPointsBatch(batch(awards));

        assertThat(response.getResultsList()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            AwardPointsResult result = response.getResults(i);
            assertThat(result.hasLot()).as(result.toString()).isTrue();
            assertThat(result.getLot().getReportId()).as("results in the request's order")
                    .isEqualTo(awards.get(i).getReportId());
            assertThat(result.getLot().getAmount()).isEqualTo(25);
            assertThat(result.getLot().getState()).isEqualTo(LotState.LOT_STATE_PENDING);
        }
        assertThat(transactionsOf(awards)).as("transactions that wrote the three lots").hasSize(1);
        assertThat(auditEntries("AwardPoints") - before).as("one audit entry per award").isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(postingsOf(awards.get(i).getReportId())).as("the award's posting, as AwardPoints records it")
                    .containsExactly("REPORT_AWARD 25 of " + participants.get(i) + ": PROGRAM_ISSUANCE  -25",
                            "REPORT_AWARD 25 of " + participants.get(i) + ": PARTICIPANT_PENDING "
                                    + participants.get(i) + " 25");
        }
    }

    /** The ledger lines of the movements that name a report: reason, amount, participant, then account and amount. */
    private List<String> postingsOf(String reportId) {
        List<String> lines = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT m.reason, m.amount, m.participant_id, e.account_kind, e.owner_id, e.amount
                FROM ledger_movement m JOIN ledger_entry e USING (movement_id)
                WHERE m.reference = ? ORDER BY m.seq, e.line""")) {
            s.setString(1, reportId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    lines.add(r.getString(1) + " " + r.getLong(2) + " of " + r.getString(3) + ": " + r.getString(4)
                            + " " + r.getString(5) + " " + r.getLong(6));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return lines;
    }

    @Test
    void aRefusedAwardAnswersForItselfAloneAndTheOthersAreMade() {
        String pat = registered();
        AwardPointsRequest first = award(pat, 10);
        AwardPointsRequest unregistered = award(UUID.randomUUID().toString(), 10);
        AwardPointsRequest malformed = award(pat, 0);
        AwardPointsRequest last = award(registered(), 7);

        List<AwardPointsResult> results = internal.awardPointsBatch(batch(List.of(first, unregistered, malformed,
                last))).getResultsList();

        assertThat(results).hasSize(4);
        assertThat(results.get(0).getLot().getReportId()).isEqualTo(first.getReportId());
        assertThat(RewardsFixtures.reason(refusal(results.get(1)))).isEqualTo("PARTICIPANT_NOT_REGISTERED");
        assertThat(refusal(results.get(1)).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(refusal(results.get(2)).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(RewardsFixtures.violatedFields(refusal(results.get(2)))).containsExactly("points");
        assertThat(results.get(3).getLot().getAmount()).isEqualTo(7);
        assertThat(transactionsOf(List.of(unregistered, malformed))).as("refused: nothing kept").isEmpty();
        assertThat(transactionsOf(List.of(first, last))).as("made, each in its own transaction").hasSize(2);
    }

    @Test
    void aRedeliveredBatchReturnsTheFirstLotsAndChangesNothing() {
        List<AwardPointsRequest> awards = List.of(award(registered(), 5), award(registered(), 6));
        AwardPointsBatchResponse first = internal.awardPointsBatch(batch(awards));
        long audited = auditEntries("AwardPoints");

        AwardPointsBatchResponse again = internal.awardPointsBatch(batch(awards));

        assertThat(again).isEqualTo(first);
        assertThat(auditEntries("AwardPoints")).as("a redelivery is not audited again").isEqualTo(audited);
        AwardPointsResult conflicting = internal.awardPointsBatch(batch(List.of(awards.get(0).toBuilder()
                .setPoints(50).build()))).getResults(0);
        assertThat(refusal(conflicting).getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void theSameReportTwiceInOneBatchIsAwardedOnceAndAnsweredForBoth() {
        AwardPointsRequest twice = award(registered(), 12);
        AwardPointsRequest other = award(registered(), 3);
        AwardPointsRequest conflicting = twice.toBuilder().setPoints(13).build();

        List<AwardPointsResult> results = internal.awardPointsBatch(batch(List.of(twice, other, twice, conflicting)))
                .getResultsList();

        assertThat(results).hasSize(4);
        assertThat(results.get(2).getLot()).as("the repeat answers with the lot first made")
                .isEqualTo(results.get(0).getLot());
        assertThat(results.get(1).getLot().getReportId()).isEqualTo(other.getReportId());
        assertThat(refusal(results.get(3)).getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(transactionsOf(List.of(twice)).values()).as("one lot for the report").containsExactly(1);
    }

    @Test
    void aBatchReadsAndWritesOnceForAllItsAwards() {
        LongSupplier prepared = sessionFactory.getStatistics()::getPrepareStatementCount;
        long single = LeastIncrease.of(5, prepared, () -> award(registered(), 5), internal::awardPoints);
        long batchOfOne = LeastIncrease.of(5, prepared, () -> batchOf(1), this::awardAll);
        long batchOfTwenty = LeastIncrease.of(5, prepared, () -> batchOf(20), this::awardAll);
        double perFurtherAward = (batchOfTwenty - batchOfOne) / 19.0;
        System.out.printf("prepared statements: AwardPoints %d, AwardPointsBatch of 1 %d, of 20 %d (%.2f per further"
                + " award)%n", single, batchOfOne, batchOfTwenty, perFurtherAward);
        // A batch locks its participants and reads their reports' lots once for all its awards, and writes its lots,
        // ledger postings and audit entries once for all: a further award costs no statement of its own (half a
        // statement allowed for the background work the least of five did not avoid). Read and written one by one,
        // a further award cost what a single one costs less its lot's insert (about 4).
        assertThat(batchOfOne).as("a batch of one costs what a single award costs").isLessThanOrEqualTo(single);
        assertThat(perFurtherAward).as("reads and writes made once per batch, not once per award")
                .isLessThanOrEqualTo(0.5);
    }

    /** An AwardPointsBatch of {@code awards} awards to as many new participants. */
    private AwardPointsBatchRequest batchOf(int awards) {
        List<AwardPointsRequest> items = new ArrayList<>();
        for (int i = 0; i < awards; i++) {
            items.add(award(registered(), 5));
        }
        return batch(items);
    }

    private void awardAll(AwardPointsBatchRequest batch) {
        assertThat(internal.awardPointsBatch(batch).getResultsList())
                .allSatisfy(r -> assertThat(r.hasLot()).as("made: " + r).isTrue());
    }

    @Test
    void theBatchItselfMustBeWellFormedAndComeFromAService() {
        String pat = registered();
        List<AwardPointsRequest> tooMany = new ArrayList<>();
        for (int i = 0; i <= ItemBatches.MAX_ITEMS; i++) {
            tooMany.add(award(pat, 1));
        }

        refused(() -> internal.awardPointsBatch(batch(tooMany)), Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
        assertThat(RewardsFixtures.violatedFields(org.assertj.core.api.Assertions.catchThrowable(
                () -> internal.awardPointsBatch(batch(List.of())))))
                .containsExactly("awards");
        assertThat(RewardsFixtures.violatedFields(org.assertj.core.api.Assertions.catchThrowable(
                () -> internal.awardPointsBatch(batch(tooMany.subList(0, 2)).toBuilder().clearIdempotencyKey()
                        .build())))).containsExactly("idempotency_key");
        refused(() -> BearerAuth.as(internalClient, DemoTokens.merchantCornerCafe())
                .awardPointsBatch(batch(tooMany.subList(0, 2))), Status.Code.PERMISSION_DENIED, null);
        assertThat(transactionsOf(tooMany)).as("nothing awarded").isEmpty();
    }

    private String registered() {
        String id = UUID.randomUUID().toString();
        internal.registerParticipant(RegisterParticipantRequest.newBuilder().setIdempotencyKey("register-" + id)
                .setParticipantId(id).setKeycloakSubject("subject-" + id).build());
        return id;
    }

    private static AwardPointsRequest award(String participantId, long points) {
        return AwardPointsRequest.newBuilder().setIdempotencyKey("award-" + UUID.randomUUID())
                .setReportId("report-" + UUID.randomUUID()).setParticipantId(participantId).setPoints(points)
                .setRuleCode("LIBRARY_SHIFT").setRuleTableVersion(2).build();
    }

    private static AwardPointsBatchRequest batch(List<AwardPointsRequest> awards) {
        return AwardPointsBatchRequest.newBuilder().setIdempotencyKey("batch-" + UUID.randomUUID())
                .addAllAwards(awards).build();
    }

    private static StatusRuntimeException refusal(AwardPointsResult result) {
        assertThat(result.hasRefusal()).as("refused: " + result).isTrue();
        return ItemBatches.asException(result.getRefusal());
    }

    /** The transactions (xmin) that wrote the awards' lots, with how many lots each wrote. */
    private Map<String, Integer> transactionsOf(List<AwardPointsRequest> awards) {
        Map<String, Integer> transactions = new TreeMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT xmin::text FROM award_lot WHERE report_id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("varchar", awards.stream().map(AwardPointsRequest::getReportId).toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    transactions.merge(r.getString(1), 1, Integer::sum);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return transactions;
    }

    private long auditEntries(String action) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM audit_log WHERE action = ?")) {
            s.setString(1, action);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
