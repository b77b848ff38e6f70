package org.civiccredit.reports.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc.ReportServiceBlockingStub;
import org.civiccredit.api.reports.v1.ReportStatus;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.kit.domain.ProtectedGround;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.idempotency.IdempotentCalls.Claim;
import org.civiccredit.kit.persistence.GroupCommit;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.LeastIncrease;
import org.civiccredit.kit.testing.LockWaits;
import org.civiccredit.kit.testing.Occurred;
import org.civiccredit.kit.testing.Until;
import org.civiccredit.reports.api.ReportSubmissions;
import org.civiccredit.reports.config.IntakeConfig;
import org.civiccredit.reports.service.RefusalCounts;
import org.civiccredit.reports.service.RuleCatalog;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit of SubmitReport: calls that queue while every lane is busy are committed together, and every call
 * gets the answer, refusal, stored replay, audit entry and refusal count it gets alone.
 */
@QuarkusTest
class ReportGroupCommitGrpcServiceTest {

    private static final String GREENWAY = "greenway-volunteers";
    private static final String NORTHSIDE = "northside-food-bank";

    @GrpcClient("self")
    ReportServiceBlockingStub reports;

    @GrpcClient("self")
    EnrollmentServiceBlockingStub enrollment;

    @GrpcClient("self")
    AgencyServiceBlockingStub agencies;

    @Inject
    RuleCatalog catalog;

    @Inject
    RefusalCounts refusals;

    @Inject
    ReportSubmissions submissions;

    @Inject
    DataSource db;

    @Inject
    SessionFactory sessionFactory;

    @Inject
    IntakeConfig config;

    private final ExecutorService calls = Executors.newCachedThreadPool();
    private ReportServiceBlockingStub greenway;
    private ReportServiceBlockingStub northside;

    @BeforeEach
    void setUp() {
        IntakeFixtures.ruleTable(catalog);
        IntakeFixtures.agencies(agencies);
        greenway = BearerAuth.as(reports, DemoTokens.agencyGreenway());
        northside = BearerAuth.as(reports, DemoTokens.agencyNorthside());
    }

    @AfterEach
    void stop() {
        calls.shutdownNow();
    }

    private static SubmitReportRequest.Builder report(String participant) {
        return SubmitReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setParticipantId(participant).setRuleCode("VOL_HOUR").setQuantity(2)
                .setOccurredAt(ProtoTime.timestamp(Occurred.ago(Duration.ofHours(3))))
                .setEvidenceRef("https://greenway.example.org/shifts/" + UUID.randomUUID())
                .setNote("Two hours at the community garden");
    }

    @Test
    void callsQueuedBehindBusyLanesCommitTogetherAndEachIsAnsweredAsItWouldBeAlone() throws Exception {
        int lanes = config.groupCommit().lanes();
        List<String> held = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            held.add(IntakeFixtures.enrolledParticipant(enrollment)[0]);
        }
        String[] people = {IntakeFixtures.enrolledParticipant(enrollment)[0],
                IntakeFixtures.enrolledParticipant(enrollment)[0], IntakeFixtures.enrolledParticipant(enrollment)[0]};
        SubmitReportRequest earlier = report(people[0]).build();
        Report earlierAnswer = greenway.submitReport(earlier);
        long protectedBefore = refusals.of(GREENWAY, ProtectedGround.RELIGION_OR_BELIEF);

        // What is queued: accepted reports from two agencies, one participant several times, and calls a group
        // must leave to be made alone.
        Map<String, Call> queued = new LinkedHashMap<>();
        for (int i = 0; i < 9; i++) {
            queued.put("accept-" + i, new Call(i % 3 == 2 ? northside : greenway, report(people[i % 3]).build()));
        }
        SubmitReportRequest twice = report(people[1]).build();
        queued.put("twice-a", new Call(greenway, twice));
        queued.put("twice-b", new Call(greenway, twice));
        SubmitReportRequest notEnrolled = report(UUID.randomUUID().toString()).build();
        queued.put("not-enrolled", new Call(greenway, notEnrolled));
        queued.put("protected", new Call(greenway, report(people[2])
                .setNote("Left the shift early for Friday prayers at the mosque").build()));
        queued.put("out-of-scope", new Call(greenway, report(people[2]).setRuleCode("LEARN").setQuantity(0).build()));
        queued.put("replay", new Call(greenway, earlier));
        queued.put("key-reused", new Call(greenway, earlier.toBuilder().setQuantity(5).build()));

        GroupCommit.Stats before = submissions.stats();
        List<Future<Object>> holders = new ArrayList<>();
        try (Connection lock = db.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement s = lock.prepareStatement(
                    "SELECT 1 FROM participant WHERE participant_id = ANY(?::uuid[]) FOR UPDATE")) {
                s.setArray(1, lock.createArrayOf("text", held.toArray()));
                s.executeQuery().close();
            }
            // Every lane busy: a lone call in each, waiting for its participant's row.
            for (String participant : held) {
                holders.add(call(new Call(greenway, report(participant).build())));
                LockWaits.await(db, holders.size(), "a lone call never waited for its participant", "participant");
            }
            Until.holds(() -> submissions.stats().running() == lanes, "the lanes never became busy");
            for (Call c : queued.values()) {
                c.answer = call(c);
            }
            Until.holds(() -> submissions.stats().queued() == queued.size(), "the calls never queued");
            lock.rollback();
        }
        for (Future<Object> holder : holders) {
            assertThat(holder.get(30, TimeUnit.SECONDS)).isInstanceOf(Report.class);
        }
        Map<String, Object> answers = new LinkedHashMap<>();
        for (Map.Entry<String, Call> c : queued.entrySet()) {
            answers.put(c.getKey(), c.getValue().answer.get(30, TimeUnit.SECONDS));
        }

        // Committed together: one group took every queued call but the two whose keys it already held, which went in
        // the next group (or, with more lanes, a group beside it). The lone calls were the lanes' holders. Six calls
        // were left to be made alone: three refusals, a replay, a reused key, and the second call with one key.
        GroupCommit.Stats after = submissions.stats();
        assertThat(after.groups() - before.groups()).isEqualTo(2);
        assertThat(after.groupedItems() - before.groupedItems()).isEqualTo(queued.size());
        assertThat(after.alone() - before.alone()).isEqualTo(lanes);
        assertThat(after.leftAlone() - before.leftAlone()).isEqualTo(6);

        for (int i = 0; i < 9; i++) {
            Report accepted = (Report) answers.get("accept-" + i);
            SubmitReportRequest request = queued.get("accept-" + i).request;
            assertThat(accepted.getStatus()).isEqualTo(ReportStatus.REPORT_STATUS_ACCEPTED);
            assertThat(accepted.getParticipantId()).isEqualTo(request.getParticipantId());
            assertThat(accepted.getAgencyId()).isEqualTo(i % 3 == 2 ? NORTHSIDE : GREENWAY);
            assertThat(accepted.getRuleTableVersion()).isEqualTo(IntakeFixtures.TABLE_VERSION);
            assertThat(accepted.getEvidenceRef()).isEqualTo(request.getEvidenceRef());
            assertStoredOnce(accepted, i % 3 == 2 ? NORTHSIDE : GREENWAY);
            // The key was stored under the caller's own scope: a retry through the single call replays it.
            assertThat(queued.get("accept-" + i).stub.submitReport(request)).isEqualTo(accepted);
        }
        assertThat(answers.get("twice-a")).isEqualTo(answers.get("twice-b")).isInstanceOf(Report.class);
        assertStoredOnce((Report) answers.get("twice-a"), GREENWAY);
        assertRefused(answers.get("not-enrolled"), Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_ENROLLED");
        assertRefused(answers.get("protected"), Status.Code.FAILED_PRECONDITION, "PROTECTED_GROUND");
        assertRefused(answers.get("out-of-scope"), Status.Code.FAILED_PRECONDITION, "RULE_OUTSIDE_AGENCY_SCOPE");
        assertThat(answers.get("replay")).isEqualTo(earlierAnswer);
        assertRefused(answers.get("key-reused"), Status.Code.ALREADY_EXISTS, null);
        // Refused once, counted once (a group counts nothing; the call made alone counts its refusal).
        assertThat(refusals.of(GREENWAY, ProtectedGround.RELIGION_OR_BELIEF)).isEqualTo(protectedBefore + 1);
        // A refused call leaves no key behind: the same key with a corrected request is accepted.
        Report corrected = greenway.submitReport(notEnrolled.toBuilder().setParticipantId(people[0]).build());
        assertThat(corrected.getStatus()).isEqualTo(ReportStatus.REPORT_STATUS_ACCEPTED);
        assertThat(reportsAbout(people[0])).isEqualTo(1 + 3 + 1);
    }

    @Test
    void reportsWaitForAWithdrawalInProgressAndAreRefusedOnceItCommits() throws Exception {
        int lanes = config.groupCommit().lanes();
        String leaving = IntakeFixtures.enrolledParticipant(enrollment)[0];
        String staying = IntakeFixtures.enrolledParticipant(enrollment)[0];
        List<Future<Object>> alone = new ArrayList<>();
        Future<Object> queuedLeaving;
        Future<Object> queuedStaying;
        try (Connection withdrawal = db.getConnection()) {
            // The participant's row as Enrollments.withdraw holds it (FOR NO KEY UPDATE), which a report's foreign
            // key check does not wait for: only the intake's own lock makes a report wait.
            withdrawal.setAutoCommit(false);
            try (PreparedStatement s = withdrawal.prepareStatement(
                    "SELECT 1 FROM participant WHERE participant_id = ?::uuid FOR NO KEY UPDATE")) {
                s.setString(1, leaving);
                s.executeQuery().close();
            }
            // A lone call on every lane, then a group queued behind them.
            for (int i = 0; i < lanes; i++) {
                alone.add(call(new Call(greenway, report(leaving).build())));
                LockWaits.await(db, i + 1, "a report did not wait for the withdrawal in progress", "participant");
            }
            Until.holds(() -> submissions.stats().running() == lanes, "the lanes never became busy");
            queuedLeaving = call(new Call(greenway, report(leaving).build()));
            queuedStaying = call(new Call(northside, report(staying).build()));
            Until.holds(() -> submissions.stats().queued() == 2, "the calls never queued");
            try (PreparedStatement s = withdrawal.prepareStatement("UPDATE participant SET state = 'WITHDRAWN', "
                    + "withdrawn_at = now() WHERE participant_id = ?::uuid")) {
                s.setString(1, leaving);
                assertThat(s.executeUpdate()).isEqualTo(1);
            }
            withdrawal.commit();
        }
        for (Future<Object> call : alone) {
            assertRefused(call.get(30, TimeUnit.SECONDS), Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_ENROLLED");
        }
        assertRefused(queuedLeaving.get(30, TimeUnit.SECONDS), Status.Code.FAILED_PRECONDITION,
                "PARTICIPANT_NOT_ENROLLED");
        assertThat(queuedStaying.get(30, TimeUnit.SECONDS)).isInstanceOf(Report.class);
        assertThat(reportsAbout(leaving)).isZero();
        assertThat(reportsAbout(staying)).isEqualTo(1);
    }

    @Test
    void aGroupOfTwentyReportsCostsTheStatementsOfAGroupOfOne() {
        String[] people = {IntakeFixtures.enrolledParticipant(enrollment)[0],
                IntakeFixtures.enrolledParticipant(enrollment)[0]};
        LongSupplier prepared = sessionFactory.getStatistics()::getPrepareStatementCount;
        long one = LeastIncrease.of(8, prepared, () -> pending(1, people), this::commitAll);
        long twenty = LeastIncrease.of(8, prepared, () -> pending(20, people), this::commitAll);
        // Agencies, keys, participants' locks, reports (a JDBC batch), outbox rows, responses, audit entries: one
        // statement each, however many reports. Any statement per report fails this.
        assertThat(one).isBetween(5L, 9L);
        assertThat(twenty).isLessThanOrEqualTo(one + 19 / 2);
    }

    private List<ReportSubmissions.Pending> pending(int n, String[] people) {
        List<ReportSubmissions.Pending> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SubmitReportRequest request = report(people[i % people.length]).build();
            pending.add(new ReportSubmissions.Pending(GREENWAY,
                    new Claim("group-commit-test/SubmitReport", request.getIdempotencyKey(), request),
                    "agency:" + GREENWAY));
        }
        return pending;
    }

    private void commitAll(List<ReportSubmissions.Pending> pending) {
        List<Report> answers = submissions.together(pending);
        assertThat(answers).hasSize(pending.size()).doesNotContainNull();
    }

    /** The report, its outbox row, its stored response and its audit entry by its agency: each exactly once. */
    private void assertStoredOnce(Report report, String agency) throws Exception {
        try (Connection c = db.getConnection()) {
            assertThat(count(c, "SELECT count(*) FROM report WHERE report_id = ?::uuid AND status = 'ACCEPTED'",
                    report.getReportId())).isEqualTo(1);
            assertThat(count(c, "SELECT count(*) FROM outbox WHERE report_id = ?::uuid AND kind = 'SCORING_APPLY_REPORT'",
                    report.getReportId())).isEqualTo(1);
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT response, participant_ref FROM idempotency_key WHERE response IS NOT NULL"
                            + " AND participant_ref = ? AND position(? in encode(response, 'escape')) > 0")) {
                s.setString(1, report.getParticipantId());
                s.setString(2, report.getReportId());
                try (ResultSet r = s.executeQuery()) {
                    assertThat(r.next()).isTrue();
                    assertThat(Report.parseFrom(r.getBytes(1))).isEqualTo(report);
                    assertThat(r.next()).isFalse();
                }
            }
            assertThat(count(c, "SELECT count(*) FROM audit_log WHERE action = 'SubmitReport' AND actor = ?"
                    + " AND refs LIKE '%report_id=' || ? || '%'", "agency:" + agency, report.getReportId()))
                    .isEqualTo(1);
        }
    }

    private long reportsAbout(String participant) throws Exception {
        try (Connection c = db.getConnection()) {
            return count(c, "SELECT count(*) FROM report WHERE participant_id = ?::uuid", participant);
        }
    }

    private static long count(Connection c, String sql, String... params) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static void assertRefused(Object answer, Status.Code code, String reason) {
        assertThat(answer).isInstanceOf(StatusRuntimeException.class);
        StatusRuntimeException refused = (StatusRuntimeException) answer;
        assertThat(refused.getStatus().getCode()).isEqualTo(code);
        if (reason != null) {
            assertThat(StatusProto.fromThrowable(refused).getDetailsList().stream()
                    .filter(d -> d.is(com.google.rpc.ErrorInfo.class)).map(d -> {
                        try {
                            return d.unpack(com.google.rpc.ErrorInfo.class).getReason();
                        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                            throw new AssertionError(e);
                        }
                    }).toList()).containsExactly(reason);
        }
    }

    /** One queued call: who makes it, what, and (once sent) its answer or refusal. */
    private static final class Call {
        final ReportServiceBlockingStub stub;
        final SubmitReportRequest request;
        Future<Object> answer;

        Call(ReportServiceBlockingStub stub, SubmitReportRequest request) {
            this.stub = stub;
            this.request = request;
        }
    }

    private Future<Object> call(Call c) {
        return calls.submit(() -> {
            try {
                return c.stub.submitReport(c.request);
            } catch (StatusRuntimeException refused) {
                return refused;
            }
        });
    }

}
