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
import static org.civiccredit.scoring.grpc.ScoringFixtures.report;
import static org.civiccredit.scoring.grpc.ScoringFixtures.subjectOf;

import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.EventStatus;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownRequest;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownResponse;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc.ScoreServiceBlockingStub;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reading scores over gRPC with real tokens: a participant only ever reads their own (the token subject
 * decides), the service role reads a named participant's, nobody else reads any.
 */
@QuarkusTest
class ScoreGrpcServiceTest extends ScoringGrpcTest {

    String patToken;
    ScoreServiceBlockingStub asPat;

    @BeforeEach
    void setUp() {
        patToken = DemoTokens.participantPat();
        asPat = BearerAuth.as(scoreClient, patToken);
    }

    @Test
    void aParticipantReadsTheirOwnScoreAndTheServiceReadsItById() {
        String pat = register(internal, subjectOf(patToken));
        internal.applyReport(report(version, pat, VOL, 8, daysAgo(2)));
        internal.applyReport(report(version, pat, SHIFT, 0, daysAgo(2)));

        Score own = asPat.getScore(GetScoreRequest.getDefaultInstance());
        Score byService = asService.getScore(GetScoreRequest.newBuilder().setParticipantId(pat).build());

        assertThat(own.getParticipantId()).isEqualTo(pat);
        assertThat(own.getScore()).isEqualTo(50);
        assertThat(own.getTier().getName()).isEqualTo("Bronze");
        assertThat(own.getNextTierName()).isEqualTo("Silver");
        assertThat(own.getPointsToNextTier()).isEqualTo(150);
        assertThat(own.getVersion()).isEqualTo(3);
        assertThat(own.hasAsOf()).isTrue();
        assertThat(byService.toBuilder().clearAsOf().build()).isEqualTo(own.toBuilder().clearAsOf().build());
    }

    @Test
    void belowEveryTierThereIsNoTierAndTheFirstIsNext() {
        String pat = register(internal, subjectOf(patToken));
        internal.applyReport(report(version, pat, VOL, 3, daysAgo(1)));
        Score score = asPat.getScore(GetScoreRequest.getDefaultInstance());
        assertThat(score.getScore()).isEqualTo(15);
        assertThat(score.hasTier()).isFalse();
        assertThat(score.getNextTierName()).isEqualTo("Bronze");
        assertThat(score.getPointsToNextTier()).isEqualTo(35);
    }

    @Test
    void aParticipantCannotNameAParticipantNotEvenThemselves() {
        String pat = register(internal, subjectOf(patToken));
        String other = register(internal, newId());
        for (String named : new String[] {other, pat}) {
            assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT,
                    () -> asPat.getScore(GetScoreRequest.newBuilder().setParticipantId(named).build()))))
                    .containsExactly("participant_id");
        }
    }

    @Test
    void theServiceMustNameAKnownParticipant() {
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT,
                () -> asService.getScore(GetScoreRequest.getDefaultInstance())))).containsExactly("participant_id");
        refused(Status.Code.NOT_FOUND,
                () -> asService.getScore(GetScoreRequest.newBuilder().setParticipantId(newId()).build()));
    }

    @Test
    void aSubjectReadsTheScoreOfItsNewestRegistrationAndNothingOnceErased() {
        String samToken = DemoTokens.participantSam();
        ScoreServiceBlockingStub asSam = BearerAuth.as(scoreClient, samToken);
        String withdrawn = register(internal, subjectOf(samToken));
        String reEnrolled = register(internal, subjectOf(samToken));
        assertThat(asSam.getScore(GetScoreRequest.getDefaultInstance()).getParticipantId()).isEqualTo(reEnrolled);

        internal.eraseParticipant(EraseParticipantRequest.newBuilder().setIdempotencyKey(newId())
                .setParticipantId(reEnrolled).build());
        refusedFor("PARTICIPANT_NOT_ENROLLED", () -> asSam.getScore(GetScoreRequest.getDefaultInstance()));
        refusedFor("PARTICIPANT_NOT_ENROLLED",
                () -> asSam.getScoreBreakdown(GetScoreBreakdownRequest.getDefaultInstance()));
        assertThat(asService.getScore(GetScoreRequest.newBuilder().setParticipantId(withdrawn).build()).getScore())
                .as("the older registration is untouched, only unbound").isZero();
    }

    @Test
    void otherRolesReadNoScore() {
        String pat = register(internal, subjectOf(patToken));
        GetScoreRequest byId = GetScoreRequest.newBuilder().setParticipantId(pat).build();
        for (String token : new String[] {DemoTokens.agencyGreenway(), DemoTokens.merchantCornerCafe(),
            DemoTokens.reviewer(), DemoTokens.adminClient()}) {
            refused(Status.Code.PERMISSION_DENIED, () -> BearerAuth.as(scoreClient, token).getScore(byId));
        }
        refused(Status.Code.PERMISSION_DENIED,
                () -> asService.getScoreBreakdown(GetScoreBreakdownRequest.getDefaultInstance()));
    }

    @Test
    void theBreakdownShowsEveryEntryWithItsProvenanceAndStatusNewestFirst() {
        String pat = register(internal, subjectOf(patToken));
        ScoreEvent hours = internal.applyReport(report(version, pat, VOL, 8, daysAgo(4)));
        ScoreEvent shift = internal.applyReport(report(version, pat, SHIFT, 0, daysAgo(3)));
        ScoreEvent expired = internal.applyReport(report(version, pat, BRIEF, 0, daysAgo(3).plusSeconds(60)));
        ScoreEvent missed = internal.applyReport(report(version, pat, MISSED, 0, daysAgo(2)));
        ScoreEvent withdrawn = internal.applyReport(report(version, pat, SHIFT, 0, daysAgo(1)));
        internal.freezeEvent(FreezeEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(missed.getReportId()).build());
        internal.reverseEvent(ReverseEventRequest.newBuilder().setIdempotencyKey(newId())
                .setReportId(withdrawn.getReportId()).setReason("agency withdrew the report")
                .setCause(ReversalCause.REVERSAL_CAUSE_REPORT_WITHDRAWN).build());

        List<ScoreEvent> entries = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            GetScoreBreakdownResponse page = asPat.getScoreBreakdown(GetScoreBreakdownRequest.newBuilder()
                    .setPage(PageRequest.newBuilder().setPageSize(2).setPageToken(token)).build());
            assertThat(page.getScore().getScore()).as("40 + 10, the frozen deduction counts zero").isEqualTo(50);
            entries.addAll(page.getEntriesList());
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());

        assertThat(pages).isEqualTo(3);
        assertThat(entries).extracting(ScoreEvent::getReportId).containsExactly(withdrawn.getReportId(),
                missed.getReportId(), expired.getReportId(), shift.getReportId(), hours.getReportId());
        Map<String, EventStatus> statuses = entries.stream()
                .collect(Collectors.toMap(ScoreEvent::getReportId, ScoreEvent::getStatus));
        assertThat(statuses).containsEntry(hours.getReportId(), EventStatus.EVENT_STATUS_COUNTING)
                .containsEntry(shift.getReportId(), EventStatus.EVENT_STATUS_COUNTING)
                .containsEntry(expired.getReportId(), EventStatus.EVENT_STATUS_EXPIRED)
                .containsEntry(missed.getReportId(), EventStatus.EVENT_STATUS_FROZEN)
                .containsEntry(withdrawn.getReportId(), EventStatus.EVENT_STATUS_REVERSED);
        ScoreEvent first = entries.get(4);
        assertThat(first.getRuleCode()).isEqualTo(VOL);
        assertThat(first.getRuleTableVersion()).isEqualTo(version);
        assertThat(first.getRuleTitle()).isEqualTo("Volunteering hours");
        assertThat(first.getAgencyId()).isEqualTo("greenway-volunteers");
        assertThat(first.getEvidenceRef()).isEqualTo(hours.getEvidenceRef());
        assertThat(first.getDelta()).isEqualTo(40);
        assertThat(first.getCountsUntil()).isEqualTo(hours.getCountsUntil());
        assertThat(entries.get(0).getReversalReason()).isEqualTo("agency withdrew the report");

        assertThat(breakdown(EventStatus.EVENT_STATUS_EXPIRED)).containsExactly(expired.getReportId());
        assertThat(breakdown(EventStatus.EVENT_STATUS_COUNTING))
                .containsExactly(shift.getReportId(), hours.getReportId());
        assertThat(breakdown(EventStatus.EVENT_STATUS_FROZEN, EventStatus.EVENT_STATUS_REVERSED))
                .containsExactly(withdrawn.getReportId(), missed.getReportId());
    }

    @Test
    void badFiltersAndPageTokensAreRefused() {
        String pat = register(internal, subjectOf(patToken));
        for (int i = 0; i < 3; i++) {
            internal.applyReport(report(version, pat, SHIFT, 0, daysAgo(1).plusSeconds(i)));
        }
        String unfilteredToken = asPat.getScoreBreakdown(GetScoreBreakdownRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(1)).build()).getNextPageToken();
        assertThat(unfilteredToken).isNotEmpty();

        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT, () -> asPat.getScoreBreakdown(
                GetScoreBreakdownRequest.newBuilder().addStatuses(EventStatus.EVENT_STATUS_COUNTING)
                        .setPage(PageRequest.newBuilder().setPageToken(unfilteredToken)).build()))))
                .containsExactly("page.page_token");
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT, () -> asPat.getScoreBreakdown(
                GetScoreBreakdownRequest.newBuilder().addStatuses(EventStatus.EVENT_STATUS_UNSPECIFIED)
                        .setPage(PageRequest.newBuilder().setPageSize(-1)).build()))))
                .containsExactly("statuses[0]", "page.page_size");
        assertThat(badFields(refused(Status.Code.INVALID_ARGUMENT, () -> asPat.getScoreBreakdown(
                GetScoreBreakdownRequest.newBuilder().addStatusesValue(99).build()))))
                .containsExactly("statuses[0]");
    }

    private List<String> breakdown(EventStatus... statuses) {
        return asPat.getScoreBreakdown(GetScoreBreakdownRequest.newBuilder().addAllStatuses(List.of(statuses)).build())
                .getEntriesList().stream().map(ScoreEvent::getReportId).toList();
    }
}
