package org.civiccredit.load;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.civiccredit.api.reports.v1.EnrollRequest;
import org.civiccredit.api.reports.v1.GetConsentTextRequest;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;

/**
 * The driver's own participants: Keycloak users {@code load-participant-NNN} with the participant role, enrolled
 * through reports-service exactly as a person enrols (consent text, Enroll with their own token), and known to
 * scoring-service and rewards-service once the outbox has registered them there. Users are created on the first
 * run and reused (with a new random password) afterwards; enrolment is idempotent. {@code --participant-set fresh}
 * gives a run participants of its own (empty wallets and histories), so that runs compare like with like.
 */
public final class LoadParticipants {

    /** One enrolled participant and their token. */
    public record Participant(String username, RefreshingToken token, String participantId) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private LoadParticipants() {
    }

    /**
     * Ensures {@code count} enrolled and registered load participants of set {@code set}: users
     * {@code load-participant-NNN} for the default set (empty), reused by every run, so their histories and wallets
     * grow from run to run; {@code load-SET-NNN} otherwise (a new set starts with empty histories and wallets).
     */
    public static List<Participant> prepare(Keycloak keycloak, Clients clients, int count, String set)
            throws Exception {
        String admin = keycloak.masterAdminToken();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            long consent = clients.enrollmentAs(keycloak.client("civic-admin-cli"))
                    .getConsentText(GetConsentTextRequest.getDefaultInstance()).getVersion();
            List<Future<Participant>> pending = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String username = set.isEmpty() ? String.format("load-participant-%03d", i)
                        : String.format("load-%s-%03d", set, i);
                pending.add(pool.submit(() -> enrol(keycloak, clients, admin, username, consent)));
            }
            List<Participant> enrolled = new ArrayList<>();
            for (Future<Participant> f : pending) {
                enrolled.add(f.get());
            }
            for (Participant p : enrolled) {
                awaitRegistered(clients, p);
            }
            return enrolled;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Participant enrol(Keycloak keycloak, Clients clients, String admin, String username, long consent) {
        byte[] secret = new byte[18];
        RANDOM.nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        keycloak.ensureParticipantUser(admin, username, password);
        RefreshingToken token = keycloak.user(username, password);
        String participantId = clients.enrollmentAs(token).enroll(EnrollRequest.newBuilder()
                .setIdempotencyKey("load-enrol-" + username).setConsentVersion(consent).build())
                .getEnrollment().getParticipantId();
        return new Participant(username, token, participantId);
    }

    /** Waits until the enrolment has reached scoring-service and rewards-service through the outbox. */
    private static void awaitRegistered(Clients clients, Participant p) throws InterruptedException {
        long until = System.nanoTime() + 120_000_000_000L;
        while (true) {
            try {
                clients.scoresAsServiceBlocking().getScore(GetScoreRequest.newBuilder()
                        .setParticipantId(p.participantId()).build());
                clients.walletAs(p.token()).getWallet(GetWalletRequest.getDefaultInstance());
                return;
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                boolean notYet = code == Status.Code.NOT_FOUND || code == Status.Code.FAILED_PRECONDITION;
                if (!notYet || System.nanoTime() - until > 0) {
                    throw new IllegalStateException("participant " + p.username() + " is not registered downstream: "
                            + e.getStatus(), e);
                }
                Thread.sleep(200);
            }
        }
    }
}
