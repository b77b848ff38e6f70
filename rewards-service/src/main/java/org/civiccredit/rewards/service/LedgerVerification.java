package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import org.civiccredit.rewards.domain.LedgerCheck;
import org.civiccredit.rewards.domain.PointTotals;
import org.civiccredit.rewards.persistence.LedgerRepository;

/** Verifies the whole ledger in one consistent snapshot, and totals it per period; read-only. */
@ApplicationScoped
public class LedgerVerification {

    @Inject
    EntityManager em;

    @Inject
    LedgerRepository ledger;

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public LedgerCheck verify(Instant now) {
        // One snapshot for every query, so movements committed meanwhile cannot make a sound ledger look broken.
        em.createNativeQuery("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").executeUpdate();
        return ledger.verify(Wallets.micros(now));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public PointTotals totals(Instant start, Instant end) {
        return ledger.totals(start, end);
    }
}
