package org.civiccredit.load;

import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.CaptureRedemptionRequest;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.PublishOfferRequest;
import org.civiccredit.api.rewards.v1.ReserveRedemptionRequest;
import org.civiccredit.api.rewards.v1.VerifyLedgerRequest;
import org.civiccredit.api.rewards.v1.VerifyLedgerResponse;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.load.Targets.Service;

/**
 * Scenario 3: ReserveRedemption then CaptureRedemption by concurrent merchant sessions (the demo merchant
 * corner-cafe, a one-point offer), on a small set of wallets (every session contends for the same few
 * participant rows) and on many wallets. Wallets are funded through AwardPoints (as scoring-service's outbox
 * does) and redeem tokens issued by each participant with their own token, before the measured phase.
 *
 * <p>Then a race: on the small set, more tokens than points, each token presented twice at once under different
 * idempotency keys. A double spend is a point captured beyond a wallet's available balance or a token that
 * served two reservations; each is counted (it must be zero), each wallet's balance is checked against the
 * captures, and LedgerService/VerifyLedger checks the whole ledger afterwards.
 */
public final class Redemptions {

    /** A redeem token of the wallet at {@code wallet} (index into the wallet list). */
    record Token(int wallet, String token) {
    }

    private final Run run;
    private final List<LoadParticipants.Participant> participants;
    private final long largeTable;
    private final StringBuilder checks = new StringBuilder();
    private long doubleSpends;
    private String offerId;

    public Redemptions(Run run, List<LoadParticipants.Participant> participants, long largeTable) {
        this.run = run;
        this.participants = participants;
        this.largeTable = largeTable;
    }

    public void run() throws Exception {
        offerId = loadOffer(run.clients());
        int contention = run.options().integer("contention-wallets", 4);
        int perPhase = run.options().integer("redemptions", 3000);
        phase("contention", participants.subList(0, contention), perPhase);
        phase("many wallets", participants, perPhase);
        race(participants.subList(0, contention));
        VerifyLedgerResponse ledger = run.clients().ledgerAsAdmin()
                .verifyLedger(VerifyLedgerRequest.getDefaultInstance());
        checks.append(String.format(Locale.ROOT, "%nVerifyLedger after the run: balanced = %s, %d entries checked%s.%n",
                ledger.getBalanced(), ledger.getEntriesChecked(), ledger.hasFirstDiscrepancy()
                        ? ", first discrepancy: " + ledger.getFirstDiscrepancy().getDescription() : ""));
        checks.append(String.format(Locale.ROOT, "%n**Double spends counted: %d.**%n", doubleSpends));
        run.results().section("Redemption: ledger and double-spend checks", checks.toString());
        if (!ledger.getBalanced() || doubleSpends > 0) {
            System.err.println("load: LEDGER CHECK FAILED: balanced=" + ledger.getBalanced() + ", double spends "
                    + doubleSpends);
        }
    }

    /** A measured phase: every wallet funded with exactly what its tokens will spend. */
    private void phase(String name, List<LoadParticipants.Participant> wallets, int redemptions) throws Exception {
        int merchants = run.options().integer("merchants", 64);
        int perWallet = Math.max(1, redemptions / wallets.size());
        fund(wallets, perWallet, name);
        long[] before = available(wallets);
        List<Token> tokens = issue(run, wallets, perWallet, name);
        AtomicLongArray captured = new AtomicLongArray(wallets.size());
        String keys = run.id() + "-" + Profiler.name(name);
        run.measure("Reserve + Capture, " + name, "closed, " + merchants + " merchant sessions, " + wallets.size()
                + " wallets", Service.REWARDS, "one operation = both RPCs",
                () -> Load.closedLoop(name, merchants, new Load.Bounds(run.phase(), tokens.size()),
                        seq -> redeem(tokens.get((int) seq), keys + "-" + seq, captured)));
        checkWallets(name, wallets, before, captured, true);
    }

    /** The merchant's one-point offer every redemption of the load test takes (published once, by its key). */
    static String loadOffer(Clients clients) {
        return clients.merchantsAsMerchant().publishOffer(PublishOfferRequest.newBuilder()
                .setIdempotencyKey("load-offer-v1").setTitle("Load test coffee")
                .setDescription("A coffee for one point, offered to the load test.").setPointsCost(1)
                .setStock(1_000_000_000L).build()).getOfferId();
    }

    /** One operation of the scenario: reserve the offer with a redeem token, then capture all held points. */
    static CompletableFuture<?> reserveAndCapture(Clients clients, String token, String offerId, String key) {
        return Load.of(clients.redemptionsAsMerchant().reserveRedemption(ReserveRedemptionRequest.newBuilder()
                .setIdempotencyKey("load-res-" + key).setRedeemToken(token).setOfferId(offerId).build()))
                .thenCompose(held -> Load.of(clients.redemptionsAsMerchant().captureRedemption(
                        CaptureRedemptionRequest.newBuilder().setIdempotencyKey("load-cap-" + key)
                                .setRedemptionId(held.getRedemptionId()).build())));
    }

    /** Reserve, then capture all held points; counts the wallet's successful captures. */
    private CompletableFuture<?> redeem(Token t, String key, AtomicLongArray captured) {
        return reserveAndCapture(run.clients(), t.token(), offerId, key)
                .thenAccept(done -> captured.incrementAndGet(t.wallet()));
    }

    /**
     * The race on the small set: each wallet gets 16 more one-point tokens than it has points, and each token is
     * presented by two merchant sessions at once.
     */
    private void race(List<LoadParticipants.Participant> wallets) throws Exception {
        long[] before = available(wallets);
        List<Token> tokens = new ArrayList<>();
        for (int w = 0; w < wallets.size(); w++) {
            for (Token t : issue(run, List.of(wallets.get(w)), (int) before[w] + 16, "race-" + w)) {
                tokens.add(new Token(w, t.token()));
            }
        }
        java.util.Collections.shuffle(tokens);
        AtomicLongArray captured = new AtomicLongArray(wallets.size());
        AtomicLongArray perToken = new AtomicLongArray(tokens.size());
        String keys = run.id() + "-race";
        Measurement m = Load.closedLoop("race", run.options().integer("merchants", 64),
                new Load.Bounds(java.time.Duration.ofSeconds(120), tokens.size() * 2L), seq -> {
                    int i = (int) (seq / 2);
                    return redeem(tokens.get(i), keys + "-" + seq, captured)
                            .thenAccept(done -> perToken.incrementAndGet(i));
                });
        long reused = 0;
        for (int i = 0; i < perToken.length(); i++) {
            reused += Math.max(0, perToken.get(i) - 1);
        }
        doubleSpends += reused;
        checks.append(String.format(Locale.ROOT, "%nRace on %d wallets: %d tokens for %d points, each presented "
                + "twice at once (%d attempts, %d captured; refusals: %s); tokens that served twice: %d.%n",
                wallets.size(), tokens.size(), java.util.Arrays.stream(before).sum(), tokens.size() * 2,
                m.successes(), m.failures(), reused));
        checkWallets("race", wallets, before, captured, false);
    }

    /**
     * After a phase: a wallet may not have captured more than it had (a double spend), and its balance must have
     * gone down by exactly what was captured (nothing held any more).
     */
    private void checkWallets(String phase, List<LoadParticipants.Participant> wallets, long[] before,
            AtomicLongArray captured, boolean expectAll) {
        long[] after = available(wallets);
        long overspent = 0;
        int mismatched = 0;
        long total = 0;
        for (int w = 0; w < wallets.size(); w++) {
            total += captured.get(w);
            overspent += Math.max(0, captured.get(w) - before[w]);
            if (before[w] - after[w] != captured.get(w)) {
                mismatched++;
            }
        }
        doubleSpends += overspent;
        checks.append(String.format(Locale.ROOT, "- %s: %d wallets, %d points captured; overspent wallets' excess: %d; "
                + "wallets whose balance did not drop by exactly their captures: %d%s%n", phase, wallets.size(), total,
                overspent, mismatched, expectAll ? "" : "; every wallet ends at " + java.util.Arrays.toString(after)));
    }

    /** Awards {@code points} to each wallet (a pending lot), then waits until it is spendable. */
    private void fund(List<LoadParticipants.Participant> wallets, long points, String phase) throws Exception {
        long[] before = available(wallets);
        for (LoadParticipants.Participant p : wallets) {
            String id = "load-fund-" + run.id() + "-" + Profiler.name(phase) + "-" + p.username();
            run.clients().rewardsInternal().awardPoints(AwardPointsRequest.newBuilder().setIdempotencyKey(id)
                    .setReportId(id).setParticipantId(p.participantId()).setPoints(points)
                    .setRuleCode(LoadRuleTables.code(2)).setRuleTableVersion(largeTable).build());
        }
        long until = System.nanoTime() + 20_000_000_000L;
        while (true) {
            long[] now = available(wallets);
            boolean ready = true;
            for (int w = 0; w < wallets.size(); w++) {
                ready &= now[w] >= before[w] + points;
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() - until > 0) {
                throw new IllegalStateException("awarded points did not become available within 20 s: rewards-service "
                        + "must run with a short contest window (REWARDS_CONTEST_WINDOW=PT1S, as scripts/load.sh "
                        + "starts it)");
            }
            Thread.sleep(250);
        }
    }

    private long[] available(List<LoadParticipants.Participant> wallets) {
        long[] out = new long[wallets.size()];
        for (int w = 0; w < wallets.size(); w++) {
            Wallet wallet = run.clients().walletAs(wallets.get(w).token())
                    .getWallet(GetWalletRequest.newBuilder().setRecentMovementsLimit(1).build());
            if (wallet.getHeld() != 0) {
                throw new IllegalStateException(wallets.get(w).username()
                        + " has points held: is another load run going on?");
            }
            out[w] = wallet.getAvailable();
        }
        return out;
    }

    /** Issues {@code perWallet} redeem tokens for each wallet, interleaved across wallets. */
    static List<Token> issue(Run run, List<LoadParticipants.Participant> wallets, int perWallet, String phase)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Token>> pending = new ArrayList<>();
            String keys = run.id() + "-" + Profiler.name(phase);
            for (int k = 0; k < perWallet; k++) {
                for (int w = 0; w < wallets.size(); w++) {
                    int wallet = w;
                    String key = "load-tok-" + keys + "-" + w + "-" + k;
                    pending.add(pool.submit(() -> new Token(wallet, run.clients().walletAs(wallets.get(wallet).token())
                            .issueRedeemToken(IssueRedeemTokenRequest.newBuilder().setIdempotencyKey(key).build())
                            .getToken())));
                }
            }
            List<Token> tokens = new ArrayList<>();
            for (Future<Token> f : pending) {
                try {
                    tokens.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof StatusRuntimeException s ? s : e;
                }
            }
            return tokens;
        } finally {
            pool.shutdownNow();
        }
    }
}
