package org.civiccredit.reports.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.GetReportRequest;
import org.civiccredit.api.reports.v1.ListReportsRequest;
import org.civiccredit.api.reports.v1.ListReportsResponse;
import org.civiccredit.api.reports.v1.ReinstateAgencyRequest;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc.ReportServiceBlockingStub;
import org.civiccredit.api.reports.v1.ReportStatus;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.api.reports.v1.SuspendAgencyRequest;
import org.civiccredit.api.reports.v1.WithdrawReportRequest;
import org.civiccredit.api.reports.v1.WithdrawRequest;
import org.civiccredit.kit.domain.ProtectedGround;
import org.civiccredit.kit.grpc.WorkerCalls;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.Occurred;
import org.civiccredit.reports.persistence.RuleCatalogEntity;
import org.civiccredit.reports.service.RefusalCounts;
import org.civiccredit.reports.service.RuleCatalog;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Agencies submit reports about enrolled participants; every refusal is precise and leaves nothing behind. */
@QuarkusTest
class ReportGrpcServiceTest {

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
    EntityManager em;

    @Inject
    SessionFactory sessionFactory;

    @Inject
    WorkerCalls workers;

    private ReportServiceBlockingStub greenway;
    private String participantId;

    @BeforeEach
    void setUp() {
        IntakeFixtures.ruleTable(catalog);
        IntakeFixtures.agencies(agencies);
        greenway = BearerAuth.as(reports, DemoTokens.agencyGreenway());
        participantId = IntakeFixtures.enrolledParticipant(enrollment)[0];
    }

    private SubmitReportRequest.Builder report(String participant) {
        return SubmitReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setParticipantId(participant).setRuleCode("VOL_HOUR").setQuantity(3)
                .setOccurredAt(ts(Occurred.ago(Duration.ofHours(2))))
                .setEvidenceRef("https://greenway.example.org/shifts/" + UUID.randomUUID())
                .setNote("Three hours at the riverside clean-up");
    }

    @Test
    void anAcceptedReportIsStoredWithItsRuleVersionAndQueuedForScoringInOneTransaction() {
        Report accepted = greenway.submitReport(report(participantId).build());
        assertThat(accepted.getStatus()).isEqualTo(ReportStatus.REPORT_STATUS_ACCEPTED);
        assertThat(accepted.getRuleTableVersion()).isEqualTo(IntakeFixtures.TABLE_VERSION);
        assertThat(accepted.getAgencyId()).isEqualTo("greenway-volunteers");
        assertThat(em.createNativeQuery("SELECT kind FROM outbox WHERE report_id = ?1")
                .setParameter(1, UUID.fromString(accepted.getReportId())).getResultList())
                .containsExactly("SCORING_APPLY_REPORT");
    }

    @Test
    void eachSubmissionIsHandedToAWorkerThreadOnceAfterItsRoleIsChecked() {
        long before = workers.handedOver();
        Report accepted = greenway.submitReport(report(participantId).build());
        assertThat(accepted.getAgencyId()).isEqualTo("greenway-volunteers");
        StatusRuntimeException refused = assertRefused(Status.Code.INVALID_ARGUMENT, null,
                () -> greenway.submitReport(report(participantId).setQuantity(-1).build()));
        assertThat(violations(refused)).containsExactly("quantity");
        assertThat(workers.handedOver() - before).isEqualTo(2);
        // A caller without the agency role is refused on the event loop: no work is handed over, nothing stored.
        assertRefused(Status.Code.PERMISSION_DENIED, null, () -> BearerAuth.as(reports, DemoTokens.participantPat())
                .submitReport(report(participantId).build()));
        assertThat(workers.handedOver() - before).isEqualTo(2);
        assertThat(reportCount(participantId)).isEqualTo(1);
    }

    @Test
    void reportsUnderARuleAlreadyReadTakeItFromMemoryNotTheDatabase() {
        greenway.submitReport(report(participantId).build());
        Statistics statistics = sessionFactory.getStatistics();
        String rules = RuleCatalogEntity.class.getName();
        long loaded = statistics.getEntityStatistics(rules).getLoadCount();
        for (int i = 0; i < 3; i++) {
            assertThat(greenway.submitReport(report(participantId).build()).getRuleTableVersion())
                    .isEqualTo(IntakeFixtures.TABLE_VERSION);
        }
        assertThat(statistics.getEntityStatistics(rules).getLoadCount()).isEqualTo(loaded);
        // The held rule is the one stored: its category still decides the agency's scope.
        assertRefused(Status.Code.FAILED_PRECONDITION, "RULE_OUTSIDE_AGENCY_SCOPE",
                () -> greenway.submitReport(report(participantId).setRuleCode("LEARN").setQuantity(0).build()));
        assertRefused(Status.Code.FAILED_PRECONDITION, "RULE_OUTSIDE_AGENCY_SCOPE",
                () -> greenway.submitReport(report(participantId).setRuleCode("LEARN").setQuantity(0).build()));
        assertThat(reportCount(participantId)).isEqualTo(4);
    }

    @Test
    void theSameKeyAndPayloadReturnTheOriginalAndADifferentPayloadIsRefused() {
        SubmitReportRequest request = report(participantId).build();
        Report first = greenway.submitReport(request);
        assertThat(greenway.submitReport(request)).isEqualTo(first);
        assertRefused(Status.Code.ALREADY_EXISTS, null,
                () -> greenway.submitReport(request.toBuilder().setQuantity(4).build()));
        assertThat(reportCount(participantId)).isEqualTo(1);
    }

    @Test
    void malformedReportsNameEveryBadFieldAndPersistNothing() {
        StatusRuntimeException refused = assertRefused(Status.Code.INVALID_ARGUMENT, null,
                () -> greenway.submitReport(report(participantId).setQuantity(-1)
                        .setOccurredAt(ts(Instant.now().plus(Duration.ofDays(2))))
                        .setEvidenceRef("data:text/plain;base64,SGVsbG8=").setNote("x".repeat(501)).build()));
        assertThat(violations(refused)).containsExactlyInAnyOrder("quantity", "occurred_at", "evidence_ref", "note");
        assertThat(violations(assertRefused(Status.Code.INVALID_ARGUMENT, null,
                () -> greenway.submitReport(report(participantId)
                        .setOccurredAt(ts(Instant.now().minus(Duration.ofDays(400)))).build()))))
                .containsExactly("occurred_at");
        assertThat(violations(assertRefused(Status.Code.INVALID_ARGUMENT, null,
                () -> greenway.submitReport(report("").setRuleCode("").clearOccurredAt().build()))))
                .containsExactlyInAnyOrder("participant_id", "rule_code", "occurred_at");
        // Outside protobuf's range java.time cannot hold the instant (INTERNAL before), and nanos out of range
        // would have been carried into the seconds: both are the caller's error, on their field.
        for (Timestamp bad : new Timestamp[] {Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).build(),
            Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() - 60).setNanos(-1).build()}) {
            assertThat(violations(assertRefused(Status.Code.INVALID_ARGUMENT, null,
                    () -> greenway.submitReport(report(participantId).setOccurredAt(bad).build()))))
                    .as(bad.toString()).containsExactly("occurred_at");
        }
        assertThat(reportCount(participantId)).isZero();
    }

    @Test
    void aRuleOutsideTheCurrentTableOrTheAgencyScopeIsRefused() {
        assertRefused(Status.Code.FAILED_PRECONDITION, "RULE_NOT_IN_CURRENT_TABLE",
                () -> greenway.submitReport(report(participantId).setRuleCode("NO_SUCH_RULE").build()));
        assertRefused(Status.Code.FAILED_PRECONDITION, "RULE_OUTSIDE_AGENCY_SCOPE",
                () -> greenway.submitReport(report(participantId).setRuleCode("LEARN").setQuantity(0).build()));
        assertRefused(Status.Code.INVALID_ARGUMENT, null,
                () -> greenway.submitReport(report(participantId).setRuleCode("FOOD_SORT").build()));
        assertThat(reportCount(participantId)).isZero();
    }

    @Test
    void onlyEnrolledParticipantsCanBeReportedOnAndAWithdrawnOneLooksLikeAnUnknownOne() {
        assertRefused(Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_ENROLLED",
                () -> greenway.submitReport(report(UUID.randomUUID().toString()).build()));
        assertRefused(Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_ENROLLED",
                () -> greenway.submitReport(report("not-a-uuid").build()));
        assertRefused(Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_ENROLLED",
                () -> greenway.submitReport(report(participantId)
                        .setOccurredAt(ts(Instant.now().minus(Duration.ofDays(30)))).build()));

        String[] withdrawing = IntakeFixtures.enrolledParticipant(enrollment);
        BearerAuth.as(enrollment, withdrawing[1]).withdraw(WithdrawRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).build());
        StatusRuntimeException refused = assertRefused(Status.Code.FAILED_PRECONDITION, "PARTICIPANT_NOT_ENROLLED",
                () -> greenway.submitReport(report(withdrawing[0]).build()));
        assertThat(refused.getStatus().getDescription()).doesNotContain("withdr");
        assertThat(reportCount(withdrawing[0])).isZero();
    }

    @Test
    void aSuspendedAgencyCannotReport() {
        AgencyServiceBlockingStub admin = BearerAuth.as(agencies, DemoTokens.adminClient());
        admin.suspendAgency(SuspendAgencyRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setAgencyId("northside-food-bank").setReason("test suspension").build());
        try {
            assertRefused(Status.Code.FAILED_PRECONDITION, "AGENCY_SUSPENDED",
                    () -> BearerAuth.as(reports, DemoTokens.agencyNorthside())
                            .submitReport(report(participantId).build()));
        } finally {
            admin.reinstateAgency(ReinstateAgencyRequest.newBuilder()
                    .setIdempotencyKey(UUID.randomUUID().toString()).setAgencyId("northside-food-bank").build());
        }
        assertThat(reportCount(participantId)).isZero();
    }

    @Test
    void aNoteOnAProtectedGroundIsRefusedNamingTheGroundCountedAgainstTheAgencyAndNotStored() {
        long before = refusals.of("greenway-volunteers", ProtectedGround.RELIGION_OR_BELIEF);
        StatusRuntimeException refused = assertRefused(Status.Code.FAILED_PRECONDITION, "PROTECTED_GROUND",
                () -> greenway.submitReport(report(participantId)
                        .setNote("Left the shift early for Friday prayers at the mosque").build()));
        assertThat(refused.getStatus().getDescription()).contains("RELIGION_OR_BELIEF");
        assertThat(refusals.of("greenway-volunteers", ProtectedGround.RELIGION_OR_BELIEF)).isEqualTo(before + 1);
        assertRefused(Status.Code.FAILED_PRECONDITION, "PROTECTED_GROUND",
                () -> greenway.submitReport(report(participantId).setNote("他去上访了").build()));
        assertThat(reportCount(participantId)).isZero();
    }

    @Test
    void anAgencySeesOnlyItsOwnReportsPagedAndFilteredAndCanWithdrawThem() {
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(greenway.submitReport(report(participantId).build()).getReportId());
        }
        ReportServiceBlockingStub northside = BearerAuth.as(reports, DemoTokens.agencyNorthside());
        assertRefused(Status.Code.NOT_FOUND, null,
                () -> northside.getReport(GetReportRequest.newBuilder().setReportId(submitted.get(0)).build()));
        assertThat(greenway.getReport(GetReportRequest.newBuilder().setReportId(submitted.get(0)).build())
                .getReportId()).isEqualTo(submitted.get(0));

        Report withdrawn = greenway.withdrawReport(WithdrawReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(submitted.get(4))
                .setReason("entered twice by mistake").build());
        assertThat(withdrawn.getStatus()).isEqualTo(ReportStatus.REPORT_STATUS_WITHDRAWN);
        Report again = greenway.withdrawReport(WithdrawReportRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(submitted.get(4))
                .setReason("again").build());
        assertThat(again.getWithdrawalReason()).isEqualTo("entered twice by mistake");
        assertThat(em.createNativeQuery("SELECT count(*) FROM outbox WHERE report_id = ?1 AND kind = ?2")
                .setParameter(1, UUID.fromString(submitted.get(4))).setParameter(2, "SCORING_REVERSE_EVENT")
                .getSingleResult()).isEqualTo(1L);

        Instant since = Instant.now().minus(Duration.ofMinutes(5));
        List<String> seen = new ArrayList<>();
        String token = "";
        do {
            ListReportsResponse page = greenway.listReports(ListReportsRequest.newBuilder()
                    .setPage(PageRequest.newBuilder().setPageSize(2).setPageToken(token))
                    .addStatuses(ReportStatus.REPORT_STATUS_ACCEPTED)
                    .setReceived(org.civiccredit.api.common.v1.TimeRange.newBuilder().setStart(ts(since))).build());
            page.getReportsList().stream().filter(r -> r.getParticipantId().equals(participantId))
                    .forEach(r -> seen.add(r.getReportId()));
            assertThat(page.getReportsList()).allSatisfy(r -> {
                assertThat(r.getAgencyId()).isEqualTo("greenway-volunteers");
                assertThat(r.getStatus()).isEqualTo(ReportStatus.REPORT_STATUS_ACCEPTED);
            });
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(seen).containsExactlyInAnyOrderElementsOf(submitted.subList(0, 4));
        assertRefused(Status.Code.INVALID_ARGUMENT, null, () -> greenway.listReports(ListReportsRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageToken("forged")).build()));
        assertThat(violations(assertRefused(Status.Code.INVALID_ARGUMENT, null,
                () -> greenway.listReports(ListReportsRequest.newBuilder()
                        .setOccurred(TimeRange.newBuilder().setStart(Timestamp.newBuilder().setSeconds(Long.MIN_VALUE)))
                        .setReceived(TimeRange.newBuilder().setEnd(Timestamp.newBuilder().setNanos(1_000_000_000)))
                        .build()))))
                .containsExactlyInAnyOrder("occurred.start", "received.end");
    }

    private long reportCount(String participant) {
        try {
            return (Long) em.createNativeQuery("SELECT count(*) FROM report WHERE participant_id = ?1")
                    .setParameter(1, UUID.fromString(participant)).getSingleResult();
        } catch (IllegalArgumentException notAUuid) {
            return 0;
        }
    }

    private static StatusRuntimeException assertRefused(Status.Code code, String reason, Supplier<?> call) {
        try {
            call.get();
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
            if (reason != null) {
                assertThat(reasonOf(e)).isEqualTo(reason);
            }
            return e;
        }
        throw new AssertionError("expected " + code + " " + (reason == null ? "" : reason));
    }

    private static String reasonOf(StatusRuntimeException e) {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(d -> d.is(ErrorInfo.class))
                .map(d -> unpack(d, ErrorInfo.class).getReason()).findFirst().orElse("");
    }

    private static List<String> violations(StatusRuntimeException e) {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(d -> d.is(BadRequest.class))
                .flatMap(d -> unpack(d, BadRequest.class).getFieldViolationsList().stream())
                .map(BadRequest.FieldViolation::getField).toList();
    }

    private static <T extends com.google.protobuf.Message> T unpack(com.google.protobuf.Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
