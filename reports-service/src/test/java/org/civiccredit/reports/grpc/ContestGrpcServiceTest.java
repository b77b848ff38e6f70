package org.civiccredit.reports.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.agroal.api.AgroalDataSource;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.Contest;
import org.civiccredit.api.reports.v1.ContestCase;
import org.civiccredit.api.reports.v1.ContestReportRequest;
import org.civiccredit.api.reports.v1.ContestServiceGrpc.ContestServiceBlockingStub;
import org.civiccredit.api.reports.v1.ContestState;
import org.civiccredit.api.reports.v1.DecideContestRequest;
import org.civiccredit.api.reports.v1.Decision;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.GetContestRequest;
import org.civiccredit.api.reports.v1.ListMyReportsRequest;
import org.civiccredit.api.reports.v1.ListOpenContestsRequest;
import org.civiccredit.api.reports.v1.ListOpenContestsResponse;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc.ReportServiceBlockingStub;
import org.civiccredit.api.reports.v1.ReportStatus;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.api.reports.v1.WithdrawReportRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.LockWaits;
import org.civiccredit.kit.testing.Occurred;
import org.civiccredit.reports.service.Contests;
import org.civiccredit.reports.service.RuleCatalog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Participants see and contest reports about them; reviewers decide; every effect is queued exactly once. */
@QuarkusTest
class ContestGrpcServiceTest {

    @GrpcClient("self")
    ContestServiceBlockingStub contests;

    @GrpcClient("self")
    ReportServiceBlockingStub reports;

    @GrpcClient("self")
    EnrollmentServiceBlockingStub enrollment;

    @GrpcClient("self")
    AgencyServiceBlockingStub agencies;

    @Inject
    RuleCatalog catalog;

    @Inject
    EntityManager em;

    @Inject
    Contests contestService;

    @Inject
    AgroalDataSource db;

    private String[] participant;
    private ContestServiceBlockingStub me;
    private ContestServiceBlockingStub reviewer;

    @BeforeEach
    void setUp() {
        IntakeFixtures.ruleTable(catalog);
        IntakeFixtures.agencies(agencies);
        participant = IntakeFixtures.enrolledParticipant(enrollment);
        me = BearerAuth.as(contests, participant[1]);
        reviewer = BearerAuth.as(contests, DemoTokens.reviewer());
    }

    private Report submitted() {
        return BearerAuth.as(reports, DemoTokens.agencyGreenway()).submitReport(SubmitReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setParticipantId(participant[0])
                .setRuleCode("FOOD_SORT").setOccurredAt(Timestamp.newBuilder()
                        .setSeconds(Occurred.ago(Duration.ofMinutes(10)).getEpochSecond()))
                .setEvidenceRef("sha256:" + "ab".repeat(32)).setNote("Sorted the Tuesday delivery").build());
    }

    private Contest contest(Report report) {
        return me.contestReport(ContestReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setReportId(report.getReportId()).setStatement("I was not on shift that day").build());
    }

    private ContestCase decide(Contest contest, Decision decision) {
        return reviewer.decideContest(DecideContestRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setContestId(contest.getContestId()).setDecision(decision).setReason("checked the rota").build());
    }

    @SuppressWarnings("unchecked")
    private List<String> outboxKinds(Report report) {
        return em.createNativeQuery("SELECT kind FROM outbox WHERE report_id = ?1 ORDER BY id")
                .setParameter(1, UUID.fromString(report.getReportId())).getResultList();
    }

    @Test
    void aParticipantSeesEveryReportAboutThemWithItsProvenanceAndNobodyElseSeesThem() {
        Report report = submitted();
        List<Report> mine = me.listMyReports(ListMyReportsRequest.getDefaultInstance()).getReportsList();
        assertThat(mine).singleElement().satisfies(r -> {
            assertThat(r.getReportId()).isEqualTo(report.getReportId());
            assertThat(r.getAgencyId()).isEqualTo("greenway-volunteers");
            assertThat(r.getRuleTableVersion()).isEqualTo(IntakeFixtures.TABLE_VERSION);
            assertThat(r.getEvidenceRef()).isEqualTo(report.getEvidenceRef());
        });
        String[] other = IntakeFixtures.enrolledParticipant(enrollment);
        assertThat(BearerAuth.as(contests, other[1]).listMyReports(ListMyReportsRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(10)).build()).getReportsList()).isEmpty();
        assertThatThrownBy(() -> BearerAuth.as(contests, other[1]).contestReport(ContestReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(report.getReportId())
                .setStatement("not mine").build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    /**
     * A reviewer's decision holds the report and its contest until it commits; a second decision and the agency's
     * withdrawal, waiting meanwhile, then see the overturn (not the state they read before waiting): both are
     * refused, and the report is reversed exactly once.
     */
    @Test
    void aDecisionAndAWithdrawalThatWaitedSeeTheDecisionMadeMeanwhile() throws Exception {
        Report report = submitted();
        Contest contest = contest(report);
        CountDownLatch decided = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
            contestService.decide(contest.getContestId(), org.civiccredit.reports.domain.Contest.Decision.OVERTURN,
                    "checked the rota", "reviewer-one");
            decided.countDown();
            try {
                commit.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(decided.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<ContestCase> second = CompletableFuture.supplyAsync(
                () -> decide(contest, Decision.DECISION_UPHOLD));
        CompletableFuture<Report> withdrawal = CompletableFuture.supplyAsync(() -> BearerAuth.as(reports,
                DemoTokens.agencyGreenway()).withdrawReport(WithdrawReportRequest.newBuilder()
                        .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(report.getReportId())
                        .setReason("entered twice").build()));
        LockWaits.await(db, 2, "2 sessions never waited for the report or its contest", "report", "contest");
        commit.countDown();
        first.get(30, TimeUnit.SECONDS);

        assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("FAILED_PRECONDITION").hasMessageContaining("already decided");
        assertThatThrownBy(() -> withdrawal.get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StatusRuntimeException.class).hasMessageContaining("FAILED_PRECONDITION")
                .hasMessageContaining("overturned");
        assertThat(outboxKinds(report))
                .containsExactly("SCORING_APPLY_REPORT", "SCORING_FREEZE_EVENT", "SCORING_REVERSE_EVENT");
        assertThat(me.getContest(GetContestRequest.newBuilder().setContestId(contest.getContestId()).build())
                .getReport().getStatus()).isEqualTo(ReportStatus.REPORT_STATUS_OVERTURNED);
    }

    @Test
    void aContestFreezesTheReportAndAnOverturnReversesItExactlyOnce() {
        Report report = submitted();
        Contest contest = contest(report);
        assertThat(contest.getState()).isEqualTo(ContestState.CONTEST_STATE_OPEN);
        assertThatThrownBy(() -> contest(report)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThat(outboxKinds(report)).containsExactly("SCORING_APPLY_REPORT", "SCORING_FREEZE_EVENT");

        assertThat(openContestIds()).contains(contest.getContestId());
        ContestCase decided = decide(contest, Decision.DECISION_OVERTURN);
        assertThat(decided.getContest().getState()).isEqualTo(ContestState.CONTEST_STATE_OVERTURNED);
        assertThat(decided.getReport().getStatus()).isEqualTo(ReportStatus.REPORT_STATUS_OVERTURNED);
        assertThat(decide(contest, Decision.DECISION_OVERTURN).getContest()).isEqualTo(decided.getContest());
        assertThatThrownBy(() -> decide(contest, Decision.DECISION_UPHOLD))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThat(outboxKinds(report))
                .containsExactly("SCORING_APPLY_REPORT", "SCORING_FREEZE_EVENT", "SCORING_REVERSE_EVENT");
        assertThat(openContestIds()).doesNotContain(contest.getContestId());

        ContestCase seen = me.getContest(GetContestRequest.newBuilder().setContestId(contest.getContestId()).build());
        assertThat(seen.getContest().getDecisionReason()).isEqualTo("checked the rota");
        assertThatThrownBy(() -> BearerAuth.as(reports, DemoTokens.agencyGreenway()).withdrawReport(
                WithdrawReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .setReportId(report.getReportId()).setReason("late").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void anUpheldContestUnfreezesTheReport() {
        Report report = submitted();
        ContestCase decided = decide(contest(report), Decision.DECISION_UPHOLD);
        assertThat(decided.getReport().getStatus()).isEqualTo(ReportStatus.REPORT_STATUS_UPHELD);
        assertThat(outboxKinds(report))
                .containsExactly("SCORING_APPLY_REPORT", "SCORING_FREEZE_EVENT", "SCORING_UNFREEZE_EVENT");
    }

    @Test
    void aReportWithdrawnByItsAgencyClosesItsContest() {
        Report report = submitted();
        Contest contest = contest(report);
        BearerAuth.as(reports, DemoTokens.agencyGreenway()).withdrawReport(WithdrawReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(report.getReportId())
                .setReason("entered in error").build());
        assertThat(me.getContest(GetContestRequest.newBuilder().setContestId(contest.getContestId()).build())
                .getContest().getState()).isEqualTo(ContestState.CONTEST_STATE_CLOSED);
        assertThatThrownBy(() -> decide(contest, Decision.DECISION_OVERTURN))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void onlyReviewersListAndDecideContests() {
        assertThatThrownBy(() -> BearerAuth.as(contests, DemoTokens.agencyGreenway())
                .listOpenContests(ListOpenContestsRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        Contest contest = contest(submitted());
        assertThatThrownBy(() -> me.decideContest(DecideContestRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setContestId(contest.getContestId())
                .setDecision(Decision.DECISION_OVERTURN).setReason("mine").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    private List<String> openContestIds() {
        List<String> ids = new java.util.ArrayList<>();
        String token = "";
        Instant previous = Instant.EPOCH;
        do {
            ListOpenContestsResponse page = reviewer.listOpenContests(ListOpenContestsRequest.newBuilder()
                    .setPage(PageRequest.newBuilder().setPageSize(100).setPageToken(token)).build());
            for (ContestCase c : page.getCasesList()) {
                Instant opened = Instant.ofEpochSecond(c.getContest().getOpenedAt().getSeconds(),
                        c.getContest().getOpenedAt().getNanos());
                assertThat(opened).isAfterOrEqualTo(previous);
                previous = opened;
                ids.add(c.getContest().getContestId());
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return ids;
    }
}
