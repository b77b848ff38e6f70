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
 * <p><b>Who may read and write them.</b> Every writer of a participant's counters holds that participant's row lock
 * ({@code FOR NO KEY UPDATE} or stronger) first, from before it reads them until its transaction ends: applying,
 * reversing and erasing all lock the participant first. The counters themselves are therefore read without locks
 * (a reader under the participant's lock sees every change of the transactions that held it before, which committed
 * before they let it go) and written once per transaction, with their final change, as an upsert: a counter that
 * does not exist yet is inserted with that change, an existing one is updated once. A counter whose change is 0 is
 * not written at all, and a missing counter reads as 0. (Until the thirtieth round of docs/performance.md each
 * counter was created at 0, locked {@code FOR UPDATE} and then updated: three writes of a row for one change.)
 *
 * <p>In a batch of reports applied together ({@link BatchScope}) the counters of all of them are read up front in one
 * statement ({@link #loadAll}); each report's {@link #read} then reads its counters from there, and its {@link #add}
 * changes them there, written in one statement when the batch's last report is done.
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

    /** The counters a batch read, with their current sums (its own changes included; 0 for a missing counter). */
    private static final class Loaded extends HashMap<Key, Long> {
    }

    /** The changes a batch made to its counters, summed per counter, to be written at its end. */
    private static final class Pending extends LinkedHashMap<Key, Long> {
    }

    /**
     * In a batch: reads the given counters in one statement (a missing one as 0); the batch's {@link #read} and
     * {@link #add} of these counters then make no statements. Outside a batch it does nothing. The caller holds the
     * participants' locks (see the class comment).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void loadAll(List<Key> keys) {
        Loaded loaded = batch.value(Loaded.class, Loaded::new);
        List<Key> distinct = keys.stream().distinct().toList();
        if (loaded == null || distinct.isEmpty()) {
            return;
        }
        int n = distinct.size();
        String[] participants = new String[n];
        String[] rules = new String[n];
        String[] periods = new String[n];
        for (int i = 0; i < n; i++) {
            participants[i] = distinct.get(i).participantId();
            rules[i] = distinct.get(i).ruleCode();
            periods[i] = distinct.get(i).periodKey();
        }
        distinct.forEach(key -> loaded.put(key, 0L));
        @SuppressWarnings("unchecked")
        List<Object[]> rows = NativeWrites.on(em, """
                SELECT c.participant_id, c.rule_code, c.period_key, c.used
                FROM cap_usage c JOIN unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS text[]))
                     AS keys(p, r, k)
                     ON c.participant_id = keys.p AND c.rule_code = keys.r AND c.period_key = keys.k""", "cap_usage")
                .setParameter(1, participants).setParameter(2, rules).setParameter(3, periods).getResultList();
        for (Object[] row : rows) {
            loaded.put(new Key((String) row[0], (String) row[1], (String) row[2]), ((Number) row[3]).longValue());
        }
    }

    /**
     * The sums of a participant's counters of one rule for the given periods, by period key (0 where none was
     * written yet). One statement, none in a batch that {@linkplain #loadAll loaded} them. The caller holds the
     * participant's lock (see the class comment).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<String, Long> read(String participantId, String ruleCode, List<String> periodKeys) {
        List<Key> keys = periodKeys.stream().distinct().map(k -> new Key(participantId, ruleCode, k)).toList();
        Map<String, Long> used = new HashMap<>();
        Loaded loaded = batch.value(Loaded.class, Loaded::new);
        if (loaded != null && keys.stream().allMatch(loaded::containsKey)) {
            keys.forEach(key -> used.put(key.periodKey(), loaded.get(key)));
            return used;
        }
        keys.forEach(key -> used.put(key.periodKey(), 0L));
        @SuppressWarnings("unchecked")
        List<Object[]> rows = NativeWrites.on(em, """
                SELECT period_key, used FROM cap_usage
                WHERE participant_id = ?1 AND rule_code = ?2 AND period_key = ANY(cast(?3 AS text[]))""", "cap_usage")
                .setParameter(1, participantId).setParameter(2, ruleCode)
                .setParameter(3, keys.stream().map(Key::periodKey).toArray(String[]::new)).getResultList();
        for (Object[] row : rows) {
            used.put((String) row[0], ((Number) row[1]).longValue());
        }
        return used;
    }

    /**
     * Adds {@code delta} (negative to release usage) to the counters of the given periods: at once, or in a batch
     * that {@linkplain #loadAll loaded} them when its last report is done.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void add(String participantId, String ruleCode, List<String> periodKeys, long delta) {
        if (delta == 0) {
            return;
        }
        List<Key> keys = periodKeys.stream().distinct().map(k -> new Key(participantId, ruleCode, k)).toList();
        Loaded loaded = batch.value(Loaded.class, Loaded::new);
        if (loaded != null && keys.stream().allMatch(loaded::containsKey)) {
            Pending pending = batch.deferred(Pending.class, Pending::new, this::write);
            for (Key key : keys) {
                loaded.merge(key, delta, Long::sum);
                pending.merge(key, delta, Long::sum);
            }
            return;
        }
        Pending now = new Pending();
        keys.forEach(key -> now.put(key, delta));
        write(now);
    }

    /**
     * Writes changes to counters in one statement, in key order: a missing counter is inserted with its change, an
     * existing one updated once. Counters whose change is 0 are left alone.
     */
    private void write(Pending pending) {
        List<Map.Entry<Key, Long>> changes = pending.entrySet().stream().filter(e -> e.getValue() != 0)
                .sorted(Map.Entry.comparingByKey(KEY_ORDER)).toList();
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
                INSERT INTO cap_usage AS c (participant_id, rule_code, period_key, used)
                SELECT d.p, d.r, d.k, d.delta
                FROM unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS text[]), cast(?4 AS bigint[]))
                     WITH ORDINALITY AS d(p, r, k, delta, n)
                ORDER BY d.n
                ON CONFLICT (participant_id, rule_code, period_key) DO UPDATE SET used = c.used + excluded.used""",
                "cap_usage")
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
