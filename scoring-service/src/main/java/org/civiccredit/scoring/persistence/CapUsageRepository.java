package org.civiccredit.scoring.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Period-cap usage per (participant, rule code, calendar period): the signed sum of the deltas of the
 * participant's non-reversed events, kept as counters so a cap is checked in O(1).
 */
@ApplicationScoped
public class CapUsageRepository {

    @Inject
    EntityManager em;

    /**
     * Locks the usage rows of the given periods until the transaction ends (creating them at 0) and returns
     * their sums by period key. Rows are locked in key order, so two transactions never deadlock on them.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<String, Long> lock(String participantId, String ruleCode, List<String> periodKeys) {
        List<String> keys = new ArrayList<>(periodKeys);
        keys.sort(null);
        Map<String, Long> used = new HashMap<>();
        for (String key : keys) {
            em.createNativeQuery("""
                    INSERT INTO cap_usage (participant_id, rule_code, period_key, used) VALUES (?1, ?2, ?3, 0)
                    ON CONFLICT (participant_id, rule_code, period_key) DO NOTHING""")
                    .setParameter(1, participantId).setParameter(2, ruleCode).setParameter(3, key)
                    .executeUpdate();
            Number sum = (Number) em.createNativeQuery("""
                    SELECT used FROM cap_usage WHERE participant_id = ?1 AND rule_code = ?2 AND period_key = ?3
                    FOR UPDATE""")
                    .setParameter(1, participantId).setParameter(2, ruleCode).setParameter(3, key)
                    .getSingleResult();
            used.put(key, sum.longValue());
        }
        return used;
    }

    /** Adds {@code delta} (negative to release usage) to the rows of the given periods. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void add(String participantId, String ruleCode, List<String> periodKeys, long delta) {
        if (delta == 0) {
            return;
        }
        em.createNativeQuery("""
                UPDATE cap_usage SET used = used + ?1
                WHERE participant_id = ?2 AND rule_code = ?3 AND period_key IN (?4)""")
                .setParameter(1, delta).setParameter(2, participantId).setParameter(3, ruleCode)
                .setParameter(4, periodKeys).executeUpdate();
    }

    /** Deletes all usage of a participant (erasure). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void deleteFor(String participantId) {
        em.createNativeQuery("DELETE FROM cap_usage WHERE participant_id = ?1")
                .setParameter(1, participantId).executeUpdate();
    }
}
