package org.civiccredit.scoring.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.civiccredit.kit.persistence.NativeWrites;

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
     * their sums by period key. Two statements whatever the number of periods: one creates the missing rows, one
     * locks them all. Both take the rows in key order, so two transactions never deadlock on them.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<String, Long> lock(String participantId, String ruleCode, List<String> periodKeys) {
        String[] keys = periodKeys.stream().distinct().sorted().toArray(String[]::new);
        NativeWrites.on(em, """
                INSERT INTO cap_usage (participant_id, rule_code, period_key, used)
                SELECT ?1, ?2, k, 0 FROM unnest(cast(?3 AS text[])) WITH ORDINALITY AS keys(k, n) ORDER BY n
                ON CONFLICT (participant_id, rule_code, period_key) DO NOTHING""", "cap_usage")
                .setParameter(1, participantId).setParameter(2, ruleCode).setParameter(3, keys)
                .executeUpdate();
        // ORDER BY is applied before the rows are locked, so the locks are taken in key order.
        @SuppressWarnings("unchecked")
        List<Object[]> rows = NativeWrites.on(em, """
                SELECT period_key, used FROM cap_usage
                WHERE participant_id = ?1 AND rule_code = ?2 AND period_key = ANY(cast(?3 AS text[]))
                ORDER BY period_key FOR UPDATE""", "cap_usage")
                .setParameter(1, participantId).setParameter(2, ruleCode).setParameter(3, keys)
                .getResultList();
        Map<String, Long> used = new HashMap<>();
        for (Object[] row : rows) {
            used.put((String) row[0], ((Number) row[1]).longValue());
        }
        if (used.size() != keys.length) {
            throw new IllegalStateException("cap usage rows missing for " + participantId + "/" + ruleCode
                    + ": locked " + used.keySet() + " of " + List.of(keys));
        }
        return used;
    }

    /** Adds {@code delta} (negative to release usage) to the rows of the given periods. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void add(String participantId, String ruleCode, List<String> periodKeys, long delta) {
        if (delta == 0) {
            return;
        }
        NativeWrites.on(em, """
                UPDATE cap_usage SET used = used + ?1
                WHERE participant_id = ?2 AND rule_code = ?3 AND period_key IN (?4)""", "cap_usage")
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
