package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.civiccredit.rewards.grpc.RewardsFixtures.refused;

import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.UserTransaction;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import org.civiccredit.api.rewards.v1.AccountKindTotal;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc.LedgerServiceBlockingStub;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.rewards.v1.VerifyLedgerRequest;
import org.civiccredit.api.rewards.v1.VerifyLedgerResponse;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.rewards.domain.LedgerCheck.DiscrepancyKind;
import org.civiccredit.rewards.domain.LedgerCheck;
import org.civiccredit.rewards.grpc.RewardsFixtures.Enrolled;
import org.civiccredit.rewards.persistence.LedgerRepository;
import org.civiccredit.rewards.service.Wallets;
import org.junit.jupiter.api.Test;

/**
 * Admins verify the whole ledger; the verification finds an unbalanced movement, a negative balance and lots
 * that disagree with the derived balances (each planted in a transaction that is rolled back).
 */
@QuarkusTest
class LedgerGrpcServiceTest {

    @GrpcClient("self")
    LedgerServiceBlockingStub ledger;

    @GrpcClient("self")
    RewardsInternalServiceBlockingStub internal;

    @Inject
    LedgerRepository repository;

    @Inject
    Wallets wallets;

    @Inject
    EntityManager em;

    @Inject
    UserTransaction tx;

    @Test
    void anAdminVerifiesThatTheLedgerBalances() {
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 10);
        VerifyLedgerResponse verified = BearerAuth.as(ledger, DemoTokens.adminClient())
                .verifyLedger(VerifyLedgerRequest.getDefaultInstance());
        assertThat(verified.getBalanced()).as(verified.getFirstDiscrepancy().getDescription()).isTrue();
        assertThat(verified.hasFirstDiscrepancy()).isFalse();
        assertThat(verified.getTotalsList()).hasSize(6);
        assertThat(verified.getTotalsList().stream().mapToLong(AccountKindTotal::getBalance).sum()).isZero();
        assertThat(verified.getEntriesChecked()).isPositive();
    }

    @Test
    void onlyAdminsVerify() {
        refused(() -> BearerAuth.as(ledger, DemoTokens.merchantCornerCafe())
                .verifyLedger(VerifyLedgerRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED, null);
        refused(() -> BearerAuth.as(ledger, DemoTokens.participantPat())
                .verifyLedger(VerifyLedgerRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED, null);
    }

    @Test
    void theVerificationFindsEachKindOfDiscrepancy() throws Exception {
        Enrolled pat = RewardsFixtures.enrolled(internal);
        RewardsFixtures.spendable(wallets, pat.participantId(), 10);

        assertThat(plantedAndChecked(em -> {
            UUID movement = UUID.randomUUID();
            em.createNativeQuery("INSERT INTO ledger_movement (movement_id, reason, amount, from_kind, to_kind, "
                    + "reference, occurred_at) VALUES (?1, 'REPORT_AWARD', 5, 'PROGRAM_ISSUANCE', "
                    + "'PARTICIPANT_PENDING', 'planted', now())").setParameter(1, movement).executeUpdate();
            em.createNativeQuery("INSERT INTO ledger_entry (movement_id, line, account_kind, owner_id, amount) "
                    + "VALUES (?1, 1, 'PROGRAM_ISSUANCE', '', -5)").setParameter(1, movement).executeUpdate();
        })).isEqualTo(DiscrepancyKind.UNBALANCED_MOVEMENT);

        assertThat(plantedAndChecked(em -> {
            UUID movement = UUID.randomUUID();
            em.createNativeQuery("INSERT INTO ledger_movement (movement_id, reason, amount, from_kind, to_kind, "
                    + "reference, occurred_at) VALUES (?1, 'REVERSAL', 5, 'PARTICIPANT_AVAILABLE', "
                    + "'PROGRAM_ISSUANCE', 'planted', now())").setParameter(1, movement).executeUpdate();
            em.createNativeQuery("INSERT INTO ledger_entry (movement_id, line, account_kind, owner_id, amount) "
                    + "VALUES (?1, 1, 'PARTICIPANT_AVAILABLE', ?2, -5), (?1, 2, 'PROGRAM_ISSUANCE', '', 5)")
                    .setParameter(1, movement).setParameter(2, UUID.randomUUID().toString()).executeUpdate();
        })).isEqualTo(DiscrepancyKind.NEGATIVE_BALANCE);

        assertThat(plantedAndChecked(em -> em.createNativeQuery(
                "UPDATE award_lot SET remaining = remaining - 1 WHERE participant_id = ?1")
                .setParameter(1, pat.id()).executeUpdate())).isEqualTo(DiscrepancyKind.LOT_MISMATCH);
    }

    /** Plants a fault, verifies inside the same transaction, and rolls it all back. */
    private DiscrepancyKind plantedAndChecked(Consumer<EntityManager> fault) throws Exception {
        tx.begin();
        try {
            fault.accept(em);
            LedgerCheck check = repository.verify(Instant.now());
            assertThat(check.balanced()).isFalse();
            return check.firstDiscrepancy().orElseThrow().kind();
        } finally {
            tx.rollback();
        }
    }
}
