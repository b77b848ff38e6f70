package org.civiccredit.load;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.List;
import org.civiccredit.api.reports.v1.SubmitReportRequest;
import org.civiccredit.load.Targets.Service;

/**
 * Scenario 1: ReportService/SubmitReport end to end. An operation starts with the agency's call and completes
 * when the report's effect is visible in the live score in Redis ({@link ScoreAnnouncements}): by then the
 * report is durable in reports-service, the outbox relay has delivered it, scoring-service has committed the
 * score event and written the score. Reports use the large rule table's awarding rules (never capped), spread
 * over the load participants, so each one also travels on to rewards-service as an award.
 */
public final class Intake {

    private Intake() {
    }

    public static void run(Run run, List<LoadParticipants.Participant> participants, ScoreAnnouncements live,
            int ruleCount) {
        int sessions = run.options().integer("intake-concurrency", 128);
        Load.closedLoop("warm-up", sessions, Load.Bounds.of(run.warmup()),
                reporting(run, participants, live, ruleCount, new Measurement("warm-up")));
        Measurement acknowledged = new Measurement("SubmitReport acknowledged");
        Load.Operation report = reporting(run, participants, live, ruleCount, acknowledged);
        Measurement endToEnd = run.measure("SubmitReport, end to end", "closed, " + sessions + " sessions",
                Service.REPORTS, "complete when the live score in Redis reflects the report",
                () -> Load.closedLoop("intake", sessions, Load.Bounds.of(run.phase()), report));
        acknowledged.copyPeriod(endToEnd);
        run.results().add(new ResultsTable.Row("SubmitReport, acknowledged", "(same phase)", acknowledged,
                run.echoRate(Service.REPORTS), "the RPC reply alone: durable in reports-service"));
    }

    /** One report: submitted (its acknowledgement recorded in {@code acknowledged}), then awaited in Redis. */
    private static Load.Operation reporting(Run run, List<LoadParticipants.Participant> participants,
            ScoreAnnouncements live, int ruleCount, Measurement acknowledged) {
        String batch = run.id() + "-" + Long.toHexString(System.nanoTime());
        return seq -> {
            long began = System.nanoTime();
            Instant now = Instant.now().minusSeconds(1);
            SubmitReportRequest request = SubmitReportRequest.newBuilder()
                    .setIdempotencyKey("load-" + batch + "-" + seq)
                    .setParticipantId(participants.get((int) (seq % participants.size())).participantId())
                    .setRuleCode(LoadRuleTables.code(2 + (int) (seq % (ruleCount - 1))))
                    .setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                    .setEvidenceRef("https://evidence.invalid/load/" + batch + "/" + seq).build();
            return Load.of(run.clients().reportsAsAgency().submitReport(request)).thenCompose(accepted -> {
                acknowledged.success(System.nanoTime() - began);
                return live.visible(accepted.getReportId(), 60);
            });
        };
    }
}
