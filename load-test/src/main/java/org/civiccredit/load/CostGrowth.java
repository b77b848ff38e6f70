package org.civiccredit.load;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantRequest;

/**
 * Whether the cost of one report stays flat as a participant's history grows and as the rule table grows. The
 * calls are the service-role calls the outbox relays make, one at a time (no queueing in the figures):
 * <ul>
 * <li>ScoringInternalService/ApplyReport for one fresh participant until they have the configured number of
 * score events (10,000), reported per thousand events;</li>
 * <li>ApplyReport of the same rule under the 5-rule and the 1,000-rule table, interleaved, for fresh
 * participants;</li>
 * <li>RewardsInternalService/AwardPoints for one fresh wallet until it has the configured number of open lots
 * (2,000), reported per tenth;</li>
 * <li>ReserveRedemption + CaptureRedemption of the one-point offer, one pair at a time, on a new load participant's
 * wallet of 220 available one-point lots, then of as many as the previous item's wallet (2,000); each phase's 200
 * pairs spend 200 of them.</li>
 * </ul>
 * The growth participants are registered directly in scoring-service and rewards-service (RegisterParticipant,
 * as reports-service's relay does) under fresh ids; they never enrolled in reports-service.
 */
public final class CostGrowth {

    private final Run run;
    private final LoadRuleTables.Versions tables;
    private final LoadParticipants.Participant spender;

    /** {@code spender}: a load participant with an empty wallet, for the spending comparison. */
    public CostGrowth(Run run, LoadRuleTables.Versions tables, LoadParticipants.Participant spender) {
        this.run = run;
        this.tables = tables;
        this.spender = spender;
    }

    public void run() throws Exception {
        String warm = registerInScoring("warm-up");
        Load.closedLoop("warm-up", 1, Load.Bounds.of(run.warmup()), seq -> apply(warm, tables.large(), seq));
        history();
        tableSize();
        lots();
        spending();
    }

    /**
     * Reserve + Capture one pair at a time on one wallet, first from 20 + pairs available lots, then from as many
     * as the award comparison's wallet: a reservation spends the oldest lot, so what it costs should not depend on how
     * many newer lots the wallet holds.
     */
    private void spending() throws Exception {
        int lots = run.options().integer("award-lots", 2_000);
        int pairs = run.options().integer("spending-pairs", 200);
        String offer = Redemptions.loadOffer(run.clients());
        Measurement few = spendingPhase(offer, 20 + pairs, pairs, "wallet of " + (20 + pairs) + " open lots");
        Measurement many = spendingPhase(offer, lots, pairs, "wallet of " + lots + " open lots");
        run.results().section("Reserve + Capture as one wallet's open lots grow", String.format(Locale.ROOT,
                "One pair at a time on one wallet of one-point lots (each pair spends the oldest, so a phase ends %d "
                        + "lots lighter): p50 %.2f ms from %d open lots, %.2f ms from %d; ratio %.2f.%n", pairs,
                few.millisAt(50), 20 + pairs, many.millisAt(50), lots, many.millisAt(50) / few.millisAt(50)));
    }

    /** Tops the spender's wallet up to {@code lots} available one-point lots, then measures {@code pairs} pairs. */
    private Measurement spendingPhase(String offer, int lots, int pairs, String name) throws Exception {
        long available = run.clients().walletAs(spender.token()).getWallet(GetWalletRequest.getDefaultInstance())
                .getAvailable();
        for (long i = available; i < lots; i++) {
            String id = "load-spend-" + run.id() + "-" + Profiler.name(name) + "-" + i;
            run.clients().rewardsInternal().awardPoints(AwardPointsRequest.newBuilder().setIdempotencyKey(id)
                    .setReportId(id).setParticipantId(spender.participantId()).setPoints(1)
                    .setRuleCode(LoadRuleTables.code(2)).setRuleTableVersion(tables.large()).build());
        }
        long until = System.nanoTime() + 30_000_000_000L;
        while (run.clients().walletAs(spender.token()).getWallet(GetWalletRequest.getDefaultInstance())
                .getAvailable() < lots) {
            if (System.nanoTime() - until > 0) {
                throw new IllegalStateException("awarded lots did not become available within 30 s (contest window?)");
            }
            Thread.sleep(250);
        }
        List<String> tokens = Redemptions.issue(run, List.of(spender), pairs, "spend " + name).stream()
                .map(Redemptions.Token::token).toList();
        String keys = run.id() + "-spend-" + Profiler.name(name);
        return run.measure("Reserve + Capture, " + name, "closed, 1 session", null, "one wallet",
                () -> Load.closedLoop(name, 1, new Load.Bounds(Duration.ofSeconds(300), pairs),
                        seq -> Redemptions.reserveAndCapture(run.clients(), tokens.get((int) seq), offer,
                                keys + "-" + seq)));
    }

    private void history() {
        int events = run.options().integer("history-events", 10_000);
        int buckets = 10;
        String participant = registerInScoring("history");
        List<Measurement> parts = buckets(buckets, events, "events");
        run.measure("ApplyReport, history to " + events, "closed, 1 session", null, "one participant",
                () -> Load.closedLoop("history", 1, new Load.Bounds(Duration.ofSeconds(600), events),
                        seq -> timed(parts.get((int) (seq * buckets / events)),
                                () -> apply(participant, tables.large(), seq))));
        growthSection("ApplyReport as one participant's history grows", "score events before the call", parts);
    }

    private void tableSize() {
        int reports = run.options().integer("table-reports", 1000);
        List<String> participants = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            participants.add(registerInScoring("table"));
        }
        Measurement small = new Measurement("ApplyReport, 5-rule table");
        Measurement large = new Measurement("ApplyReport, " + tables.largeRuleCount() + "-rule table");
        Measurement both = Load.closedLoop("table size", 1, new Load.Bounds(Duration.ofSeconds(300), reports * 2L),
                seq -> {
                    boolean big = seq % 2 == 1;
                    return timed(big ? large : small, () -> apply(participants.get((int) (seq / 2 % 20)),
                            big ? tables.large() : tables.small(), seq));
                });
        for (Measurement m : List.of(small, large)) {
            m.copyPeriod(both);
            run.results().add(new ResultsTable.Row(m.name(), "closed, 1 session, interleaved", m, 0,
                    "same rule, 20 fresh participants"));
        }
    }

    private void lots() {
        int lots = run.options().integer("award-lots", 2_000);
        int buckets = 10;
        String wallet = UUID.randomUUID().toString();
        run.clients().rewardsInternal().registerParticipant(
                org.civiccredit.api.rewards.v1.RegisterParticipantRequest.newBuilder()
                        .setIdempotencyKey("load-reg-" + wallet).setParticipantId(wallet)
                        .setKeycloakSubject("load-growth-" + wallet).setEnrolledAt(now()).build());
        List<Measurement> parts = buckets(buckets, lots, "open lots");
        run.measure("AwardPoints, wallet to " + lots + " lots", "closed, 1 session", null, "one wallet",
                () -> Load.closedLoop("lots", 1, new Load.Bounds(Duration.ofSeconds(600), lots),
                        seq -> timed(parts.get((int) (seq * buckets / lots)), () -> Load.of(
                                run.clients().rewardsInternalFuture().awardPoints(AwardPointsRequest.newBuilder()
                                        .setIdempotencyKey("load-lot-" + wallet + "-" + seq)
                                        .setReportId("load-lot-" + wallet + "-" + seq).setParticipantId(wallet)
                                        .setPoints(1).setRuleCode(LoadRuleTables.code(2))
                                        .setRuleTableVersion(tables.large()).build())))));
        growthSection("AwardPoints as one wallet's open lots grow", "open lots before the call", parts);
    }

    private CompletableFuture<?> apply(String participant, long version, long seq) {
        Instant occurred = Instant.now().minus(Duration.ofDays(seq % 60)).minus(Duration.ofHours(1));
        String report = "load-g-" + participant.substring(0, 8) + "-" + version + "-" + seq;
        return Load.of(run.clients().scoringInternal().applyReport(ApplyReportRequest.newBuilder()
                .setIdempotencyKey(report).setReportId(report).setParticipantId(participant)
                .setAgencyId(Clients.AGENCY_ID).setRuleCode(LoadRuleTables.NO_AWARD_RULE).setRuleTableVersion(version)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(occurred.getEpochSecond()))
                .setEvidenceRef("https://evidence.invalid/load/" + report).build()));
    }

    private String registerInScoring(String purpose) {
        String id = UUID.randomUUID().toString();
        run.clients().scoringInternalBlocking().registerParticipant(RegisterParticipantRequest.newBuilder()
                .setIdempotencyKey("load-reg-" + id).setParticipantId(id)
                .setKeycloakSubject("load-" + purpose + "-" + id).setEnrolledAt(now()).build());
        return id;
    }

    /** Runs {@code call} and records its latency in {@code part} when it succeeds. */
    private static CompletableFuture<?> timed(Measurement part,
            java.util.function.Supplier<CompletableFuture<?>> call) {
        long began = System.nanoTime();
        if (part.successes() == 0 && part.failureCount() == 0) {
            part.started(began);
        }
        return call.get().whenComplete((r, e) -> {
            long end = System.nanoTime();
            if (e == null) {
                part.success(end - began);
            } else {
                part.failure(e);
            }
            part.ended(end);
        });
    }

    private static List<Measurement> buckets(int buckets, int total, String what) {
        List<Measurement> parts = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            parts.add(new Measurement(String.format(Locale.ROOT, "%d-%d %s", (long) b * total / buckets,
                    (long) (b + 1) * total / buckets, what)));
        }
        return parts;
    }

    private void growthSection(String title, String what, List<Measurement> parts) {
        StringBuilder b = new StringBuilder("One call at a time; latency of each call in ms.\n\n| " + what
                + " | calls | mean | p50 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        for (Measurement m : parts) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |%n",
                    m.name().replaceAll(" [a-z ]+$", ""), m.successes(), m.histogram().getMean() / 1000.0,
                    m.millisAt(50), m.millisAt(99), m.maxMillis()));
        }
        Measurement first = parts.get(0);
        Measurement last = parts.get(parts.size() - 1);
        b.append(String.format(Locale.ROOT, "%nMean cost of the last tenth / the first tenth: %.2f.%n",
                last.histogram().getMean() / Math.max(1, first.histogram().getMean())));
        run.results().section(title, b.toString());
    }

    private static Timestamp now() {
        return Timestamp.newBuilder().setSeconds(Instant.now().minusSeconds(86_400).getEpochSecond()).build();
    }
}
