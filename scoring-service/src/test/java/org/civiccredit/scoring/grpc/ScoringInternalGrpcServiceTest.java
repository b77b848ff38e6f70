package org.civiccredit.scoring.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.scoring.grpc.ScoringFixtures.BRIEF;
import static org.civiccredit.scoring.grpc.ScoringFixtures.MISSED;
import static org.civiccredit.scoring.grpc.ScoringFixtures.SHIFT;
import static org.civiccredit.scoring.grpc.ScoringFixtures.VOL;
import static org.civiccredit.scoring.grpc.ScoringFixtures.badFields;
import static org.civiccredit.scoring.grpc.ScoringFixtures.daysAgo;
import static org.civiccredit.scoring.grpc.ScoringFixtures.newId;
import static org.civiccredit.scoring.grpc.ScoringFixtures.refused;
import static org.civiccredit.scoring.grpc.ScoringFixtures.refusedFor;
import static org.civiccredit.scoring.grpc.ScoringFixtures.register;
import static org.civiccredit.scoring.grpc.ScoringFixtures.registration;
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;

import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.EventStatus;
import org.civiccredit.api.scoring.v1.ExportParticipantDataRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoringDataExport;
import org.civiccredit.api.scoring.v1.UnfreezeEventRequest;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.testing.AtOnce;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.scoring.persistence.RuleEntity;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/** reports-service's calls into scoring over gRPC with real tokens: registration, reports, contests, erasure. */
@QuarkusTest
class ScoringInternalGrpcServiceTest extends ScoringGrpcTest {

    @Inject
    SessionFactory sessionFactory;



    @Test
    void aReportBecomesAnEventWithItsProvenanceAndTheUnitCap() {
        String participant = register(internal, newId());
        Instant occurred = daysAgo(2);
        ApplyReportRequest request = report(version, participant, VOL, 20, occurred);

        ScoreEvent event = internal.applyReport(request);

        assertThat(event.getEventId()).isNotEmpty();
        assertThat(event.getReportId()).isEqualTo(request.getReportId());
        assertThat(event.getParticipantId()).isEqualTo(participant);
        assertThat(event.getAgencyId()).isEqualTo("greenway-volunteers");
        assertThat(event.getRuleCode()).isEqualTo(VOL);
        assertThat(event.getRuleTableVersion()).isEqualTo(version);
        assertThat(event.getRuleTitle()).isEqualTo("Volunteering hours");
        assertThat(event.getCategory()).isEqualTo(ConductCategory.VOLUNTEERING);
        assertThat(event.getEvidenceRef()).isEqualTo(request.getEvidenceRef());
        assertThat(event.getQuantity()).isEqualTo(20);
        assertThat(event.getCountedUnits()).isEqualTo(8);
        assertThat(event.getUncappedDelta()).isEqualTo(40);
        assertThat(event.getDelta()).isEqualTo(40);
        assertThat(event.getCapped()).isFalse();
        assertThat(event.getAwardPoints()).isEqualTo(80);
        assertThat(event.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_COUNTING);
        assertThat(event.getOccurredAt()).isEqualTo(ProtoTime.timestamp(occurred));
        assertThat(event.getCountsUntil()).isEqualTo(ProtoTime.timestamp(occurred.plus(Duration.ofDays(365))));
        assertThat(event.hasAppliedAt()).isTrue();

        Score score = score(participant);
        assertThat(score.getScore()).isEqualTo(40);
        assertThat(score.getVersion()).isEqualTo(2);
    }

    @Test
    void aRedeliveredReportReturnsTheFirstEventAndOtherDataUnderItsIdIsRefused() {
        String participant = register(internal, newId());
        ApplyReportRequest request = report(version, participant, VOL, 3, daysAgo(2));
        ScoreEvent first = internal.applyReport(request);

        ScoreEvent again = internal.applyReport(request.toBuilder().setIdempotencyKey(newId()).build());

        assertThat(again).isEqualTo(first);
        assertThat(score(participant).getScore()).isEqualTo(15);
        assertThat(score(participant).getVersion()).isEqualTo(2);
        refused(Status.Code.ALREADY_EXISTS, () -> internal.applyReport(request.toBuilder().setQuantity(4).build()));
    }

    @Test
    void thePeriodCapLimitsEachDayAndTheNextDayCountsAgain() {
        String participant = register(internal, newId());
        Instant day = daysAgo(3);

        ScoreEvent first = internal.applyReport(report(version, participant, VOL, 8, day));
        ScoreEvent second = internal.applyReport(report(version, participant, VOL, 8, day.plusSeconds(60)));
        ScoreEvent third = internal.applyReport(report(version, participant, VOL, 1, day.plusSeconds(120)));

        assertThat(first.getDelta()).isEqualTo(40);
        assertThat(first.getCapped()).isFalse();
        assertThat(second.getDelta()).isEqualTo(10);
        assertThat(second.getUncappedDelta()).isEqualTo(40);
        assertThat(second.getCapped()).isTrue();
        assertThat(second.getAwardPoints()).as("award reduced in proportion: 10 * 8 * 10 / 40").isEqualTo(20);
        assertThat(third.getDelta()).isZero();
        assertThat(third.getCapped()).isTrue();
        assertThat(third.getAwardPoints()).isZero();
        assertThat(third.getStatus()).as("an exhausted cap still records the event")
                .isEqualTo(EventStatus.EVENT_STATUS_COUNTING);
        assertThat(score(participant).getScore()).isEqualTo(50);

        ScoreEvent nextDay = internal.applyReport(report(version, participant, VOL, 8, day.plus(Duration.ofDays(1))));
        assertThat(nextDay.getDelta()).isEqualTo(40);
        assertThat(nextDay.getCapped()).isFalse();
        assertThat(score(participant).getScore()).isEqualTo(90);
    }

    @Test
    void deductionsAreBoundedByTheirWeeklyCap() {
        String participant = register(internal, newId());
        Instant day = daysAgo(2);
        internal.applyReport(report(version, participant, VOL, 8, day));
        List<Long> deltas = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            deltas.add(internal.applyReport(report(version, participant, MISSED, 0, day.plusSeconds(i))).getDelta());
        }
        assertThat(deltas).containsExactly(-10L, -10L, -10L, 0L);
        assertThat(score(participant).getScore()).isEqualTo(10);
    }

    @Test
    void aReversalHappensExactlyOnceAndReleasesTheCapRoomItUsed() {
        String participant = register(internal, newId());
        Instant day = daysAgo(4);
        ScoreEvent full = internal.applyReport(report(version, participant, VOL, 8, day));
        internal.applyReport(report(version, participant, VOL, 8, day.plusSeconds(1)));
        assertThat(score(participant).getScore()).isEqualTo(50);

        ScoreEvent reversed = internal.reverseEvent(reverse(full.getReportId(), "withdrawn by the agency"));
        assertThat(reversed.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_REVERSED);
        assertThat(reversed.getReversalCause()).isEqualTo(ReversalCause.REVERSAL_CAUSE_REPORT_WITHDRAWN);
        assertThat(reversed.getReversalReason()).isEqualTo("withdrawn by the agency");
        assertThat(reversed.hasReversedAt()).isTrue();
        Score afterReversal = score(participant);
        assertThat(afterReversal.getScore()).isEqualTo(10);

        ScoreEvent twice = internal.reverseEvent(reverse(full.getReportId(), "a second, different reason"));
        assertThat(twice).isEqualTo(reversed);
        assertThat(score(participant)).extracting(Score::getScore, Score::getVersion)
                .containsExactly(10L, afterReversal.getVersion());

        ScoreEvent refill = internal.applyReport(report(version, participant, VOL, 8, day.plusSeconds(2)));
        assertThat(refill.getDelta()).as("the reversed 40 are room again").isEqualTo(40);
        assertThat(refill.getCapped()).isFalse();
        assertThat(score(participant).getScore()).isEqualTo(50);

        refusedFor("EVENT_REVERSED", () -> internal.freezeEvent(freeze(full.getReportId())));
        refusedFor("EVENT_REVERSED", () -> internal.unfreezeEvent(unfreeze(full.getReportId())));
    }

    @Test
    void aFrozenDeductionCountsZeroUntilTheContestIsUpheld() {
        String participant = register(internal, newId());
        Instant day = daysAgo(2);
        ScoreEvent hours = internal.applyReport(report(version, participant, VOL, 8, day));
        ScoreEvent missed = internal.applyReport(report(version, participant, MISSED, 0, day.plusSeconds(1)));
        assertThat(score(participant).getScore()).isEqualTo(30);

        ScoreEvent frozen = internal.freezeEvent(freeze(missed.getReportId()));
        assertThat(frozen.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_FROZEN);
        assertThat(frozen.hasFrozenAt()).isTrue();
        assertThat(score(participant).getScore()).isEqualTo(40);
        assertThat(internal.freezeEvent(freeze(missed.getReportId()))).isEqualTo(frozen);

        internal.freezeEvent(freeze(hours.getReportId()));
        assertThat(score(participant).getScore()).as("a frozen positive entry keeps counting").isEqualTo(40);

        ScoreEvent upheld = internal.unfreezeEvent(unfreeze(missed.getReportId()));
        assertThat(upheld.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_COUNTING);
        assertThat(score(participant).getScore()).isEqualTo(30);
        assertThat(internal.unfreezeEvent(unfreeze(missed.getReportId()))).isEqualTo(upheld);

        refused(Status.Code.NOT_FOUND, () -> internal.freezeEvent(freeze(newId())));
        refused(Status.Code.NOT_FOUND, () -> internal.reverseEvent(reverse(newId(), "no such report")));
    }

    @Test
    void anEntryPastItsCountingWindowIsExpiredAndCountsNothing() {
        String participant = register(internal, newId());
        ScoreEvent old = internal.applyReport(report(version, participant, BRIEF, 0, daysAgo(3)));
        assertThat(old.getDelta()).isEqualTo(7);
        assertThat(old.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_EXPIRED);
        assertThat(score(participant).getScore()).isZero();

        internal.applyReport(report(version, participant, BRIEF, 0, Instant.now().minusSeconds(60)));
        assertThat(score(participant).getScore()).isEqualTo(7);
    }

    @Test
    void erasureAnonymisesTheEventsAndLaterDeliveriesAreRefused() {
        String participant = register(internal, newId());
        ApplyReportRequest first = report(version, participant, VOL, 2, daysAgo(2));
        internal.applyReport(first);
        internal.applyReport(report(version, participant, SHIFT, 0, daysAgo(2)));

        assertThat(internal.eraseParticipant(erase(participant)).getEventsAnonymised()).isEqualTo(2);
        assertThat(internal.eraseParticipant(erase(participant)).getEventsAnonymised()).isZero();

        refusedFor("PARTICIPANT_ERASED", () -> internal.applyReport(report(version, participant, VOL, 1, daysAgo(1))));
        refusedFor("PARTICIPANT_ERASED", () -> internal.applyReport(first));
        refusedFor("PARTICIPANT_ERASED", () -> internal.freezeEvent(freeze(first.getReportId())));
        refusedFor("PARTICIPANT_ERASED", () -> internal.registerParticipant(registration(participant, newId())));
        refused(Status.Code.NOT_FOUND,
                () -> asService.getScore(GetScoreRequest.newBuilder().setParticipantId(participant).build()));
        refused(Status.Code.NOT_FOUND, () -> internal.exportParticipantData(
                ExportParticipantDataRequest.newBuilder().setParticipantId(participant).build()));

        String neverRegistered = newId();
        assertThat(internal.eraseParticipant(erase(neverRegistered)).getEventsAnonymised()).isZero();
        refusedFor("PARTICIPANT_ERASED", () -> internal.registerParticipant(registration(neverRegistered, newId())));
    }

    @Test
    void aRuleAlreadyReadIsTakenFromMemoryAndARuleNotYetPublishedIsFoundOncePublished() {
        String participant = register(internal, newId());
        internal.applyReport(report(version, participant, VOL, 1, daysAgo(1)));
        Statistics statistics = sessionFactory.getStatistics();
        String rules = RuleEntity.class.getName();
        long loaded = statistics.getEntityStatistics(rules).getLoadCount();
        for (int i = 1; i <= 3; i++) {
            assertThat(internal.applyReport(report(version, participant, VOL, 1, daysAgo(1).plusSeconds(i)))
                    .getDelta()).isEqualTo(5);
        }
        assertThat(statistics.getEntityStatistics(rules).getLoadCount()).isEqualTo(loaded);

        long next = version + 1;
        ApplyReportRequest early = report(next, participant, VOL, 1, daysAgo(1).plusSeconds(10));
        refusedFor("RULE_VERSION_UNKNOWN", () -> internal.applyReport(early));
        assertThat(ScoringFixtures.publishTestTable(ruleTables)).isEqualTo(next);
        assertThat(internal.applyReport(early).getRuleTableVersion()).isEqualTo(next);
    }

    @Test
    void anUnregisteredParticipantOrAnUnknownRuleVersionIsRefusedWithItsReason() {
        refusedFor("PARTICIPANT_NOT_REGISTERED",
                () -> internal.applyReport(report(version, newId(), VOL, 1, daysAgo(1))));
        String participant = register(internal, newId());
        refusedFor("RULE_VERSION_UNKNOWN",
                () -> internal.applyReport(report(version + 1_000_000, participant, VOL, 1, daysAgo(1))));
        refusedFor("RULE_VERSION_UNKNOWN",
                () -> internal.applyReport(report(version, participant, "T_NOT_A_RULE", 1, daysAgo(1))));
        assertThat(score(participant).getVersion()).isEqualTo(1);
    }

    @Test
    void malformedRequestsAreRefusedNamingEachField() {
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT,
                () -> internal.applyReport(ApplyReportRequest.newBuilder().setQuantity(-1).build()))))
                .contains("idempotency_key", "report_id", "participant_id", "agency_id", "rule_code",
                        "rule_table_version", "quantity", "occurred_at", "evidence_ref");
        String participant = register(internal, newId());
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT,
                () -> internal.applyReport(report(version, participant, VOL, 0, daysAgo(1))))))
                .containsExactly("quantity");
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT,
                () -> internal.applyReport(report(version, participant, SHIFT, 2, daysAgo(1))))))
                .containsExactly("quantity");
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT, () -> internal.reverseEvent(
                ReverseEventRequest.newBuilder().setIdempotencyKey(newId()).setReportId(newId()).build()))))
                .containsExactly("reason", "cause");
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT, () -> internal.registerParticipant(
                RegisterParticipantRequest.newBuilder().setParticipantId(newId()).build()))))
                .containsExactly("idempotency_key", "keycloak_subject");
    }

    @Test
    void registrationIsIdempotentAndAnIdKeepsItsSubject() {
        String participant = newId();
        String subject = newId();
        assertThat(internal.registerParticipant(registration(participant, subject)).getScoreVersion()).isEqualTo(1);
        assertThat(internal.registerParticipant(registration(participant, subject)).getParticipantId())
                .isEqualTo(participant);
        refused(Status.Code.ALREADY_EXISTS, () -> internal.registerParticipant(registration(participant, newId())));
    }

    @Test
    void onlyTheServiceRoleMayCallIt() {
        String participant = register(internal, newId());
        refused(Status.Code.PERMISSION_DENIED, () -> BearerAuth.as(internalClient, DemoTokens.participantPat())
                .applyReport(report(version, participant, VOL, 1, daysAgo(1))));
        refused(Status.Code.PERMISSION_DENIED, () -> BearerAuth.as(internalClient, DemoTokens.agencyGreenway())
                .registerParticipant(registration(newId(), newId())));
        refused(Status.Code.PERMISSION_DENIED, () -> BearerAuth.as(internalClient, DemoTokens.adminClient())
                .eraseParticipant(erase(participant)));
    }

    @Test
    void concurrentReportsOnOneParticipantAndRuleNeverExceedTheCap() throws Exception {
        String participant = register(internal, newId());
        Instant day = daysAgo(1);
        List<ApplyReportRequest> requests = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            requests.add(report(version, participant, SHIFT, 0, day.plusSeconds(i)));
        }
        List<ScoreEvent> events = AtOnce.all(requests.stream()
                .<Callable<ScoreEvent>>map(r -> () -> internal.applyReport(r)).toList());

        assertThat(events.stream().mapToLong(ScoreEvent::getDelta).sum()).isEqualTo(50);
        assertThat(events.stream().filter(e -> !e.getCapped())).hasSize(5);
        assertThat(score(participant).getScore()).isEqualTo(50);
        assertThat(score(participant).getVersion()).isEqualTo(17);

        ApplyReportRequest once = report(version, participant, SHIFT, 0, day.plus(Duration.ofDays(-1)));
        List<ScoreEvent> redelivered = AtOnce.all(java.util.Collections.nCopies(8,
                (Callable<ScoreEvent>) () -> internal.applyReport(once)));
        assertThat(redelivered.stream().map(ScoreEvent::getEventId).distinct()).hasSize(1);
        assertThat(score(participant).getScore()).isEqualTo(60);
    }

    @Test
    void theExportHoldsTheScoreEveryEventAndTheRulesApplied() {
        String subject = newId();
        String participant = register(internal, subject);
        internal.applyReport(report(version, participant, VOL, 2, daysAgo(3)));
        internal.applyReport(report(version, participant, VOL, 1, daysAgo(2)));
        internal.applyReport(report(version, participant, SHIFT, 0, daysAgo(1)));

        ScoringDataExport export = internal.exportParticipantData(
                ExportParticipantDataRequest.newBuilder().setParticipantId(participant).build());

        assertThat(export.getKeycloakSubject()).isEqualTo(subject);
        assertThat(export.hasRegisteredAt()).isTrue();
        assertThat(export.getScore().getScore()).isEqualTo(25);
        assertThat(export.getEventsList()).extracting(ScoreEvent::getDelta).containsExactly(10L, 5L, 10L);
        assertThat(export.getRulesAppliedList()).extracting(r -> r.getRule().getCode()).containsExactly(VOL, SHIFT);
        assertThat(export.getRulesAppliedList())
                .allSatisfy(r -> assertThat(r.getRuleTableVersion()).isEqualTo(version));
    }

    private Score score(String participant) {
        return asService.getScore(GetScoreRequest.newBuilder().setParticipantId(participant).build());
    }

    private static FreezeEventRequest freeze(String reportId) {
        return FreezeEventRequest.newBuilder().setIdempotencyKey(newId()).setReportId(reportId).build();
    }

    private static UnfreezeEventRequest unfreeze(String reportId) {
        return UnfreezeEventRequest.newBuilder().setIdempotencyKey(newId()).setReportId(reportId).build();
    }

    private static ReverseEventRequest reverse(String reportId, String reason) {
        return ReverseEventRequest.newBuilder().setIdempotencyKey(newId()).setReportId(reportId).setReason(reason)
                .setCause(ReversalCause.REVERSAL_CAUSE_REPORT_WITHDRAWN).build();
    }

    private static EraseParticipantRequest erase(String participantId) {
        return EraseParticipantRequest.newBuilder().setIdempotencyKey(newId()).setParticipantId(participantId).build();
    }
}
