package org.civiccredit.rewards.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.Session;
import org.junit.jupiter.api.Test;

/**
 * An award only adds its own lot: it loads none of the wallet's other lots, so its cost does not grow with a
 * participant's history of awards (the load test's "AwardPoints, wallet to 2000 lots"), and a lot that fell due
 * meanwhile is brought up to date by the next change, read or sweep that opens the wallet, not lost.
 */
@QuarkusTest
class AwardLoadsNoLotsTest {

    @Inject
    Wallets wallets;

    @Inject
    Participants participants;

    @Inject
    LedgerVerification verification;

    @Inject
    EntityManager em;

    @Test
    void anAwardLoadsNoneOfTheWalletsOtherLotsAndLeavesDueLotsToTheNextOpening() {
        String participant = UUID.randomUUID().toString();
        participants.register(participant, "subject-" + participant);
        Instant now = Instant.now();
        // 40 open lots, the first one past its contest window (due to become available).
        wallets.award("report-" + UUID.randomUUID(), participant, 5, "LIBRARY_SHIFT", 1, now.minus(Duration.ofDays(20)));
        for (int i = 1; i < 40; i++) {
            wallets.award("report-" + UUID.randomUUID(), participant, 5, "LIBRARY_SHIFT", 1, now);
        }
        String report = "report-" + UUID.randomUUID();

        int managed = QuarkusTransaction.requiringNew().call(() -> {
            wallets.award(report, participant, 7, "LIBRARY_SHIFT", 1, Instant.now());
            return em.unwrap(Session.class).getStatistics().getEntityCount();
        });

        assertThat(managed).as("entities the award's transaction loaded or created (40 lots before the change)")
                .isLessThanOrEqualTo(3);
        assertThat(LotStates.of(UUID.fromString(participant))).as("the due lot is not touched by the award").containsEntry("PENDING", 41L);
        wallets.catchUp(UUID.fromString(participant), Instant.now());
        assertThat(LotStates.of(UUID.fromString(participant))).as("the next opening brings it up to date").containsEntry("AVAILABLE", 1L)
                .containsEntry("PENDING", 40L);
        assertThat(verification.verify(Instant.now()).balanced()).isTrue();
    }
}
