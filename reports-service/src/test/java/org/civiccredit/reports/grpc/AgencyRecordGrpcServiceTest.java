package org.civiccredit.reports.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.reports.v1.AgencyFlagReason;
import org.civiccredit.api.reports.v1.AgencyRecord;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc.AgencyServiceBlockingStub;
import org.civiccredit.api.reports.v1.ContestReportRequest;
import org.civiccredit.api.reports.v1.ContestServiceGrpc.ContestServiceBlockingStub;
import org.civiccredit.api.reports.v1.DecideContestRequest;
import org.civiccredit.api.reports.v1.Decision;
import org.civiccredit.api.reports.v1.EnrollmentServiceGrpc.EnrollmentServiceBlockingStub;
import org.civiccredit.api.reports.v1.GetAgencyRecordRequest;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.reports.v1.ReportServiceGrpc.ReportServiceBlockingStub;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.Occurred;
import org.civiccredit.reports.service.RuleCatalog;
import org.junit.jupiter.api.Test;

/** An agency's overturns and refusals count against it, and cross the thresholds into a flag for admins. */
@QuarkusTest
class AgencyRecordGrpcServiceTest {

    @GrpcClient("self")
    AgencyServiceBlockingStub agencies;

    @GrpcClient("self")
    ReportServiceBlockingStub reports;

    @GrpcClient("self")
    ContestServiceBlockingStub contests;

    @GrpcClient("self")
    EnrollmentServiceBlockingStub enrollment;

    @Inject
    RuleCatalog catalog;

    @Test
    void overturnsAndRefusalsCountAgainstTheAgencyAndRaiseFlags() throws InterruptedException {
        IntakeFixtures.ruleTable(catalog);
        IntakeFixtures.agencies(agencies);
        Instant start = Instant.now();
        Thread.sleep(5);
        String[] participant = IntakeFixtures.enrolledParticipant(enrollment);
        AgencyRecord before = record(start);
        ReportServiceBlockingStub greenway = BearerAuth.as(reports, DemoTokens.agencyGreenway());
        List<Report> submitted = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            submitted.add(greenway.submitReport(report(participant[0], "FOOD_SORT", "Sorted tins").build()));
        }
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> greenway.submitReport(report(participant[0], "FOOD_SORT",
                    "Asked about her religion at the depot").build())).isInstanceOf(StatusRuntimeException.class);
        }
        assertThatThrownBy(() -> greenway.submitReport(report(participant[0], "LEARN", "").build()))
                .isInstanceOf(StatusRuntimeException.class);
        ContestServiceBlockingStub me = BearerAuth.as(contests, participant[1]);
        ContestServiceBlockingStub reviewer = BearerAuth.as(contests, DemoTokens.reviewer());
        for (int i = 0; i < 4; i++) {
            String contestId = me.contestReport(ContestReportRequest.newBuilder()
                    .setIdempotencyKey(UUID.randomUUID().toString()).setReportId(submitted.get(i).getReportId())
                    .setStatement("I was not there").build()).getContestId();
            if (i < 3) {
                reviewer.decideContest(DecideContestRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .setContestId(contestId).setDecision(Decision.DECISION_OVERTURN).setReason("no shift").build());
            }
        }

        AgencyRecord record = record(start);
        assertThat(record.getReportsAccepted()).isEqualTo(20);
        assertThat(record.getContestsOpened()).isEqualTo(4);
        assertThat(record.getContestsOverturned()).isEqualTo(3);
        assertThat(record.getContestsOpen()).isEqualTo(1);
        assertThat(record.getOverturnRate()).isEqualTo(3 / 20.0);
        assertThat(record.getProtectedGroundRefusals()).isEqualTo(before.getProtectedGroundRefusals() + 3);
        assertThat(record.getOutOfScopeRefusals()).isEqualTo(before.getOutOfScopeRefusals() + 1);
        assertThat(record.getFlagged()).isTrue();
        assertThat(record.getFlagReasonsList()).contains(AgencyFlagReason.AGENCY_FLAG_REASON_OVERTURN_RATE,
                AgencyFlagReason.AGENCY_FLAG_REASON_PROTECTED_GROUND_REFUSALS);

        assertThatThrownBy(() -> BearerAuth.as(agencies, DemoTokens.agencyGreenway()).getAgencyRecord(
                GetAgencyRecordRequest.newBuilder().setAgencyId("greenway-volunteers").build()))
                .isInstanceOf(StatusRuntimeException.class);
    }

    @Test
    void aPeriodBoundOutsideProtobufsRangeIsTheCallersErrorOnItsField() {
        assertThatThrownBy(() -> BearerAuth.as(agencies, DemoTokens.adminClient()).getAgencyRecord(
                GetAgencyRecordRequest.newBuilder().setAgencyId("greenway-volunteers")
                        .setPeriod(TimeRange.newBuilder().setStart(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)))
                        .build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("period.start");
                });
    }

    private AgencyRecord record(Instant start) {
        return BearerAuth.as(agencies, DemoTokens.adminClient()).getAgencyRecord(
                GetAgencyRecordRequest.newBuilder().setAgencyId("greenway-volunteers")
                        .setPeriod(TimeRange.newBuilder().setStart(ts(start))).build());
    }

    private static SubmitReportRequest.Builder report(String participantId, String rule, String note) {
        return SubmitReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setParticipantId(participantId).setRuleCode(rule)
                .setOccurredAt(ts(Occurred.ago(Duration.ofMinutes(10))))
                .setEvidenceRef("https://greenway.example.org/s/" + UUID.randomUUID()).setNote(note);
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
