package org.civiccredit.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.reports.v1.ContestReportRequest;
import org.civiccredit.api.reports.v1.ContestServiceGrpc;
import org.civiccredit.api.reports.v1.ContestState;
import org.civiccredit.api.reports.v1.Decision;
import org.civiccredit.api.reports.v1.DecideContestRequest;
import org.civiccredit.api.reports.v1.ExportMyDataRequest;
import org.civiccredit.api.reports.v1.ExportMyDataResponse;
import org.civiccredit.api.reports.v1.GetContestRequest;
import org.civiccredit.api.reports.v1.ParticipantDataServiceGrpc;
import org.civiccredit.api.reports.v1.Report;
import org.civiccredit.api.rewards.v1.AwardLot;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc;
import org.civiccredit.api.rewards.v1.LotState;
import org.civiccredit.api.rewards.v1.MovementReason;
import org.civiccredit.api.rewards.v1.VerifyLedgerRequest;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc;
import org.civiccredit.api.scoring.v1.EventStatus;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Due process across the three processes: a contest freezes the entry and its award; an overturn reverses
 * both exactly once, also when scoring-service and rewards-service are down while the reviewer decides; the
 * participant's export holds every entry.
 */
@SystemUnderTest
class DueProcessIT {

    private static Program program;
    private static long tableVersion;

    @BeforeAll
    static void publishRules(RunningSystem running) {
        program = new Program(running);
        tableVersion = program.publish("due process system tests",
                Program.rule("SYS_VOL_HOUR", ConductCategory.VOLUNTEERING, 5, true, 2),
                Program.rule("SYS_FOOD_SORT", ConductCategory.COMMUNITY_IMPROVEMENT, 7, false, 3),
                Program.rule("SYS_MISSED_SHIFT", ConductCategory.PROGRAM_CONDUCT, -4, false, 0));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        program.close();
    }

    private static Wallet wallet(String token) {
        return Calls.as(WalletServiceGrpc.newBlockingStub(program.rewards), token).getWallet(
                GetWalletRequest.newBuilder().setIncludeClosedLots(true).setRecentMovementsLimit(200).build());
    }

    private static AwardLot lotOf(Wallet wallet, String reportId) {
        return wallet.getLotsList().stream().filter(l -> l.getReportId().equals(reportId)).findFirst()
                .orElse(null);
    }

    private static ScoreEvent entryOf(List<ScoreEvent> entries, String reportId) {
        return entries.stream().filter(e -> e.getReportId().equals(reportId)).findFirst().orElse(null);
    }

    private static String contest(Program.Participant p, String reportId) {
        return Calls.as(ContestServiceGrpc.newBlockingStub(program.reports), p.token()).contestReport(
                ContestReportRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                        .setReportId(reportId).setStatement("I was not there that day; I was at work.").build())
                .getContestId();
    }

    private static DecideContestRequest overturn(String contestId) {
        return DecideContestRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setContestId(contestId).setDecision(Decision.DECISION_OVERTURN)
                .setReason("the shift log shows another volunteer").build();
    }

    /** Reported, scored and awarded: returns the report once its lot is in the wallet. */
    private static Report scoredAndAwarded(Program.Participant p, String rule, int quantity) {
        Report report = program.submitWhenRuleKnown(p.id(), rule, quantity);
        Calls.eventually(Program.PATIENCE, "score entry of " + rule,
                () -> entryOf(program.breakdown(p.token()), report.getReportId()));
        if (!rule.equals("SYS_MISSED_SHIFT")) {
            Calls.eventually(Program.PATIENCE, "award lot of " + rule,
                    () -> lotOf(wallet(p.token()), report.getReportId()));
        }
        return report;
    }

    private static void assertReversedExactlyOnce(Program.Participant p, Report awarded, long expectedScore) {
        ScoreEvent entry = Calls.eventually(Program.PATIENCE, "score entry reversed", () -> {
            ScoreEvent e = entryOf(program.breakdown(p.token()), awarded.getReportId());
            return e.getStatus() == EventStatus.EVENT_STATUS_REVERSED ? e : null;
        });
        assertThat(entry.getRuleTableVersion()).isEqualTo(tableVersion);
        AwardLot lot = Calls.eventually(Program.PATIENCE, "award reversed", () -> {
            AwardLot l = lotOf(wallet(p.token()), awarded.getReportId());
            return l.getState() == LotState.LOT_STATE_REVERSED ? l : null;
        });
        assertThat(lot.getClawedBack() + lot.getClawbackShortfall()).isEqualTo(lot.getAmount());
        assertThat(program.score(p.token())).isEqualTo(expectedScore);
        Wallet wallet = wallet(p.token());
        assertThat(wallet.getRecentMovementsList().stream()
                .filter(m -> m.getReason() == MovementReason.MOVEMENT_REASON_REVERSAL)
                .filter(m -> m.getReference().contains(awarded.getReportId()))).hasSize(1);
        assertThat(program.breakdown(p.token()).stream()
                .filter(e -> e.getReportId().equals(awarded.getReportId()))).hasSize(1);
        assertThat(Calls.as(LedgerServiceGrpc.newBlockingStub(program.rewards), Keycloak.clientToken("civic-admin-cli"))
                .verifyLedger(VerifyLedgerRequest.getDefaultInstance()).getBalanced()).isTrue();
    }

    @Test
    void aContestFreezesTheEntryAndItsAwardAndAnOverturnReversesBothExactlyOnce() {
        Program.Participant p = program.enrolledParticipant();
        Report kept = scoredAndAwarded(p, "SYS_FOOD_SORT", 0);
        Report contested = scoredAndAwarded(p, "SYS_VOL_HOUR", 2);
        Report deduction = scoredAndAwarded(p, "SYS_MISSED_SHIFT", 0);
        Calls.eventually(Program.PATIENCE, "score 7 + 10 - 4", () -> program.score(p.token()) == 13 ? 13 : null);

        String contestId = contest(p, contested.getReportId());
        String deductionContest = contest(p, deduction.getReportId());
        Calls.eventually(Program.PATIENCE, "the contested deduction frozen: it counts as zero until decided",
                () -> program.score(p.token()) == 17 ? true : null);
        Calls.eventually(Program.PATIENCE, "award frozen while contested",
                () -> lotOf(wallet(p.token()), contested.getReportId()).getFrozen() ? true : null);

        Keycloak.Person reviewer = Keycloak.newPerson("reviewer");
        var contests = Calls.as(ContestServiceGrpc.newBlockingStub(program.reports), reviewer.token());
        DecideContestRequest decision = overturn(contestId);
        var decided = contests.decideContest(decision);
        assertThat(decided.getContest().getState()).isEqualTo(ContestState.CONTEST_STATE_OVERTURNED);
        // A retry (same key), a second reviewer overturning it again (new key) and an attempt to uphold it
        // change nothing: the reversal below must still happen exactly once.
        assertThat(contests.decideContest(decision)).isEqualTo(decided);
        assertThat(contests.decideContest(overturn(contestId)).getContest().getState())
                .isEqualTo(ContestState.CONTEST_STATE_OVERTURNED);
        assertThat(catchStatus(() -> contests.decideContest(overturn(contestId).toBuilder()
                .setDecision(Decision.DECISION_UPHOLD).build())).getCode())
                .isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);

        assertReversedExactlyOnce(p, contested, 7); // the deduction is still frozen
        assertThat(lotOf(wallet(p.token()), kept.getReportId()).getState()).isNotEqualTo(LotState.LOT_STATE_REVERSED);
        var seen = Calls.as(ContestServiceGrpc.newBlockingStub(program.reports), p.token())
                .getContest(GetContestRequest.newBuilder().setContestId(contestId).build()).getContest();
        assertThat(seen.getState()).isEqualTo(ContestState.CONTEST_STATE_OVERTURNED);
        assertThat(seen.getDecisionReason()).isEqualTo("the shift log shows another volunteer");

        contests.decideContest(overturn(deductionContest));
        Calls.eventually(Program.PATIENCE, "the overturned deduction no longer counts",
                () -> entryOf(program.breakdown(p.token()), deduction.getReportId()).getStatus()
                        == EventStatus.EVENT_STATUS_REVERSED ? true : null);
        assertThat(program.score(p.token())).isEqualTo(7);
    }

    @Test
    void anOverturnDecidedWhileScoringAndRewardsAreDownIsAppliedOnceWhenTheyReturn() {
        Program.Participant p = program.enrolledParticipant();
        Report contested = scoredAndAwarded(p, "SYS_VOL_HOUR", 3);
        scoredAndAwarded(p, "SYS_FOOD_SORT", 0);
        String contestId = contest(p, contested.getReportId());
        Calls.eventually(Program.PATIENCE, "award frozen while contested",
                () -> lotOf(wallet(p.token()), contested.getReportId()).getFrozen() ? true : null);

        Keycloak.Person reviewer = Keycloak.newPerson("reviewer");
        program.system.stop("scoring");
        program.system.stop("rewards");
        try {
            var decided = Calls.as(ContestServiceGrpc.newBlockingStub(program.reports), reviewer.token())
                    .decideContest(overturn(contestId));
            assertThat(decided.getContest().getState()).isEqualTo(ContestState.CONTEST_STATE_OVERTURNED);
            // The decision is durable before anyone hears of it: reports-service crashes now.
            program.system.kill("reports");
        } finally {
            program.system.restart("scoring");
            program.system.restart("rewards");
        }
        program.system.restart("reports");
        assertReversedExactlyOnce(p, contested, 7);
    }

    @Test
    void theExportHoldsEveryEntryWithItsProvenanceAndRule() {
        Program.Participant p = program.enrolledParticipant();
        Report first = scoredAndAwarded(p, "SYS_VOL_HOUR", 1);
        Report second = scoredAndAwarded(p, "SYS_FOOD_SORT", 0);
        Report third = scoredAndAwarded(p, "SYS_MISSED_SHIFT", 0);
        String contestId = contest(p, third.getReportId());

        ExportMyDataResponse export = Calls.as(ParticipantDataServiceGrpc.newBlockingStub(program.reports),
                p.token()).exportMyData(ExportMyDataRequest.getDefaultInstance());
        List<String> reportIds = List.of(first.getReportId(), second.getReportId(), third.getReportId());
        assertThat(export.getEnrollment().getParticipantId()).isEqualTo(p.id());
        assertThat(export.getReportsList()).extracting(Report::getReportId).containsExactlyInAnyOrderElementsOf(reportIds);
        assertThat(export.getReportsList()).allSatisfy(r -> {
            assertThat(r.getAgencyId()).isEqualTo("greenway-volunteers");
            assertThat(r.getEvidenceRef()).startsWith("https://greenway.example.org/shifts/");
            assertThat(r.getRuleTableVersion()).isEqualTo(tableVersion);
        });
        assertThat(export.getReportsList()).filteredOn(r -> r.getReportId().equals(third.getReportId()))
                .singleElement().satisfies(r -> {
                    assertThat(r.getContest().getContestId()).isEqualTo(contestId);
                    assertThat(r.getContest().getStatement()).isEqualTo("I was not there that day; I was at work.");
                });
        assertThat(export.getScoring().getEventsList()).extracting(ScoreEvent::getReportId)
                .containsExactlyInAnyOrderElementsOf(reportIds);
        assertThat(export.getScoring().getRulesAppliedList()).allSatisfy(
                r -> assertThat(r.getRuleTableVersion()).isEqualTo(tableVersion));
        assertThat(export.getScoring().getRulesAppliedList()).extracting(r -> r.getRule().getCode())
                .containsExactlyInAnyOrder("SYS_VOL_HOUR", "SYS_FOOD_SORT", "SYS_MISSED_SHIFT");
        assertThat(export.getRewards().getWallet().getLotsList()).extracting(AwardLot::getReportId)
                .contains(first.getReportId(), second.getReportId());
        assertThat(export.getRewards().getMovementsList())
                .filteredOn(m -> m.getReason() == MovementReason.MOVEMENT_REASON_REPORT_AWARD).hasSize(2);
    }

    static io.grpc.Status catchStatus(Runnable call) {
        try {
            call.run();
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus();
        }
        throw new AssertionError("expected the call to be refused");
    }
}
