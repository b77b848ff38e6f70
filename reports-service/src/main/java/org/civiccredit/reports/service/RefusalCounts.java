package org.civiccredit.reports.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.civiccredit.kit.domain.ProtectedGround;

/** Counts reports refused on a protected ground, per agency (for accountability and transparency). */
@ApplicationScoped
public class RefusalCounts {

    @Inject
    EntityManager em;

    /** Counted in a transaction of its own: the refused report itself is rolled back, its count is not. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void protectedGround(String agencyId, ProtectedGround ground) {
        em.createNativeQuery("""
                INSERT INTO protected_ground_refusal (agency_id, ground, refusals) VALUES (?1, ?2, 1)
                ON CONFLICT (agency_id, ground) DO UPDATE SET refusals = protected_ground_refusal.refusals + 1""")
                .setParameter(1, agencyId).setParameter(2, ground.name()).executeUpdate();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public long of(String agencyId, ProtectedGround ground) {
        Object n = em.createNativeQuery(
                "SELECT coalesce(sum(refusals), 0) FROM protected_ground_refusal WHERE agency_id = ?1 AND ground = ?2")
                .setParameter(1, agencyId).setParameter(2, ground.name()).getSingleResult();
        return ((Number) n).longValue();
    }
}
