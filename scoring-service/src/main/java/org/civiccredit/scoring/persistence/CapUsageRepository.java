package org.civiccredit.scoring.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.civiccredit.kit.persistence.BatchScope;
import org.civiccredit.kit.persistence.NativeWrites;

/**
 * Period-cap usage per (participant, rule code, calendar period): the signed sum of the deltas of the
 * participant's non-reversed events, kept as counters so a cap is checked in O(1).
 *
 * <p>In a batch of reports applied together ({@link BatchScope}) the counters of all of them are created and locked
 * up front in two statements ({@link #lockAll}); each report's {@link #lock} then reads its counters from there, and
 * its {@link #add} changes them there, written in one statement when the batch's last report is done.
 */
@ApplicationScoped
public class CapUsageRepository {

    @Inject
    EntityManager em;

    @Inject
    BatchScope batch;

    /** A counter: a participant's usage of a rule in one calendar period. */
    public record Key(String participantId, String ruleCode, String periodKey) {
    }

    private static final Comparator<Key> KEY_ORDER = Comparator.comparing(Key::participantId)
            .thenComparing(Key::ruleCode).thenComparing(Key::periodKey);

    /** The counters a batch holds locked, with their current sums (its own changes included). */
    private static final class Locked extends HashMap<Key, Long> {
    }

    /** The changes a batch made to its locked counters, summed per counter, to be written at its end. */
    private static final class Pending extends LinkedHashMap<Key, Long> {
    }

    /**
     * In a batch: creates the given counters at 0 where missing and locks them all until the transaction ends, in
     * two statements, in key order (so two transactions never deadlock on them); the batch's {@link #lock} and
     * {@link #add} of these counters then make no statements. Outside a batch it does nothing. The caller holds the
     * participants' locks, as every writer of their counters does first.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lockAll(List<Key> keys) {
        Locked locked = batch.value(Locked.class, Locked::new);
        List<Key> sorted = keys.stream().distinct().sorted(KEY_ORDER).toList();
        if (locked == null || sorted.isEmpty()) {
            return;
        }
        int n = sorted.size();
        String[] participants = new String[n];
        String[] rules = new String[n];
        String[] periods = new String[n];
        for (int i = 0; i < n; i++) {
            participants[i] = sorted.get(i).participantId();
            rules[i] = sorted.get(i).ruleCode();
            periods[i] = sorted.get(i).periodKey();
        }
        NativeWrites.on(em, """
                INSERT INTO cap_usage (participant_id, rule_code, period_key, used)
                SELECT keys.p, keys.r, keys.k, 0
                FROM unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS text[])) WITH ORDINALITY
                     AS keys(p, r, k, n)
                ORDER BY keys.n
                ON CONFLICT (participant_id, rule_code, period_key) DO NOTHING""", "cap_usage")
                .setParameter(1, participants).setParameter(2, rules).setParameter(3, periods).executeUpdate();
        // ORDER BY is applied before the rows are locked, so the locks are taken in key order.
        @SuppressWarnings("unchecked")
        List<Object[]> rows = NativeWrites.on(em, """
                SELECT c.participant_id, c.rule_code, c.period_key, c.used
                FROM cap_usage c JOIN unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS text[]))
                     AS keys(p, r, k) ON c.participant_id = keys.p AND c.rule_code = keys.r AND c.period_key = keys.k
                ORDER BY c.participant_id, c.rule_code, c.period_key
                FOR UPDATE OF c""", "cap_usage")
                .setParameter(1, participants).setParameter(2, rules).setParameter(3, periods).getResultList();
        for (Object[] row : rows) {
            locked.put(new Key((String) row[0], (String) row[1], (String) row[2]), ((Number) row[3]).longValue());
        }
        if (rows.size() != n) {
            throw new IllegalStateException("cap usage rows missing: locked " + rows.size() + " of " + n);
        }
    }

    /**
     * Locks the usage rows of the given periods until the transaction ends (creating them at 0) and returns
     * their sums by period key. Two statements whatever the number of periods: one creates the missing rows, one
     * locks them all. Both take the rows in key order, so two transactions never deadlock on them.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<String, Long> lock(String participantId, String ruleCode, List<String> periodKeys) {
        Locked locked = batch.value(Locked.class, Locked::new);
        if (locked != null) {
            Map<String, Long> held = new HashMap<>();
            for (String period : periodKeys) {
                Long used = locked.get(new Key(participantId, ruleCode, period));
                if (used == null) {
                    break;
                }
                held.put(period, used);
            }
            if (held.size() == periodKeys.stream().distinct().count()) {
                return held;
            }
        }
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
        Locked locked = batch.value(Locked.class, Locked::new);
        if (locked != null
                && periodKeys.stream().allMatch(k -> locked.containsKey(new Key(participantId, ruleCode, k)))) {
            Pending pending = batch.deferred(Pending.class, Pending::new, this::addAll);
            for (String period : periodKeys.stream().distinct().toList()) {
                Key key = new Key(participantId, ruleCode, period);
                locked.merge(key, delta, Long::sum);
                pending.merge(key, delta, Long::sum);
            }
            return;
        }
        NativeWrites.on(em, """
                UPDATE cap_usage SET used = used + ?1
                WHERE participant_id = ?2 AND rule_code = ?3 AND period_key IN (?4)""", "cap_usage")
                .setParameter(1, delta).setParameter(2, participantId).setParameter(3, ruleCode)
                .setParameter(4, periodKeys).executeUpdate();
    }

    /** Writes a batch's changes to its counters, one statement for all of them. */
    private void addAll(Pending pending) {
        List<Map.Entry<Key, Long>> changes = pending.entrySet().stream().filter(e -> e.getValue() != 0).toList();
        if (changes.isEmpty()) {
            return;
        }
        int n = changes.size();
        String[] participants = new String[n];
        String[] rules = new String[n];
        String[] periods = new String[n];
        Long[] deltas = new Long[n];
        for (int i = 0; i < n; i++) {
            Key key = changes.get(i).getKey();
            participants[i] = key.participantId();
            rules[i] = key.ruleCode();
            periods[i] = key.periodKey();
            deltas[i] = changes.get(i).getValue();
        }
        NativeWrites.on(em, """
                UPDATE cap_usage c SET used = c.used + d.delta
                FROM unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS text[]), cast(?4 AS bigint[]))
                     AS d(p, r, k, delta)
                WHERE c.participant_id = d.p AND c.rule_code = d.r AND c.period_key = d.k""", "cap_usage")
                .setParameter(1, participants).setParameter(2, rules).setParameter(3, periods)
                .setParameter(4, deltas).executeUpdate();
    }

    /** Deletes all usage of a participant (erasure). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void deleteFor(String participantId) {
        em.createNativeQuery("DELETE FROM cap_usage WHERE participant_id = ?1")
                .setParameter(1, participantId).executeUpdate();
    }
}
