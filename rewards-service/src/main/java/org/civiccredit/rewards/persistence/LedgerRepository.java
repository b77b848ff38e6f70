package org.civiccredit.rewards.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.civiccredit.kit.persistence.BatchScope;
import org.civiccredit.kit.persistence.NativeReads;
import org.civiccredit.kit.persistence.NativeWrites;
import org.civiccredit.rewards.domain.AccountKind;
import org.civiccredit.rewards.domain.LedgerCheck.Discrepancy;
import org.civiccredit.rewards.domain.LedgerCheck.DiscrepancyKind;
import org.civiccredit.rewards.domain.LedgerCheck.KindTotal;
import org.civiccredit.rewards.domain.LedgerCheck;
import org.civiccredit.rewards.domain.Movement;
import org.civiccredit.rewards.domain.MovementReason;
import org.civiccredit.rewards.domain.PointTotals;
import org.civiccredit.rewards.domain.Posting;

/**
 * The double-entry ledger in tables {@code ledger_movement} and {@code ledger_entry}: records postings as a
 * movement with a debit and an equal credit, derives balances, and verifies the whole ledger.
 */
@ApplicationScoped
public class LedgerRepository {

    private static final String PARTICIPANT_KINDS =
            "('PARTICIPANT_PENDING', 'PARTICIPANT_AVAILABLE', 'PARTICIPANT_HELD')";

    @Inject
    EntityManager em;

    @Inject
    BatchScope batch;

    /** A posting to record, with the participant whose accounts moved and when. */
    private record Pending(UUID participantId, Posting posting, Instant at) {
    }

    /** The postings a batch recorded, to be written when its last item is done. */
    private static final class Deferred extends ArrayList<Pending> {
    }

    /**
     * Records postings; {@code participantId} names the participant whose accounts moved (null if none). In a batched
     * call's transaction ({@link BatchScope}) they are written with the batch's other postings when its last item is
     * done, one statement for all, in the order recorded.
     */
    public void record(UUID participantId, List<Posting> postings, Instant now) {
        Deferred deferred = postings.isEmpty() ? null : batch.deferred(Deferred.class, Deferred::new, this::recordAll);
        if (deferred != null) {
            postings.forEach(p -> deferred.add(new Pending(participantId, p, now)));
            return;
        }
        for (Posting p : postings) {
            UUID movementId = UUID.randomUUID();
            NativeWrites.on(em, """
                    WITH m AS (
                        INSERT INTO ledger_movement (movement_id, reason, amount, from_kind, to_kind, reference,
                                                     participant_id, occurred_at)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING movement_id)
                    INSERT INTO ledger_entry (movement_id, line, account_kind, owner_id, amount)
                    SELECT movement_id, 1, ?4, ?9, -?3 FROM m
                    UNION ALL
                    SELECT movement_id, 2, ?5, ?10, ?3 FROM m""", "ledger_movement", "ledger_entry")
                    .setParameter(1, movementId)
                    .setParameter(2, p.reason().name())
                    .setParameter(3, p.amount())
                    .setParameter(4, p.from().kind().name())
                    .setParameter(5, p.to().kind().name())
                    .setParameter(6, p.reference())
                    .setParameter(7, participantId)
                    .setParameter(8, now)
                    .setParameter(9, p.from().owner())
                    .setParameter(10, p.to().owner())
                    .executeUpdate();
        }
    }

    /** Writes a batch's postings, each a movement with its debit and credit, in one statement. */
    private void recordAll(Deferred postings) {
        int n = postings.size();
        String[] movements = new String[n];
        String[] reasons = new String[n];
        Long[] amounts = new Long[n];
        String[] fromKinds = new String[n];
        String[] toKinds = new String[n];
        String[] references = new String[n];
        String[] participants = new String[n];
        String[] fromOwners = new String[n];
        String[] toOwners = new String[n];
        String[] times = new String[n];
        for (int i = 0; i < n; i++) {
            Pending pending = postings.get(i);
            Posting p = pending.posting();
            movements[i] = UUID.randomUUID().toString();
            reasons[i] = p.reason().name();
            amounts[i] = p.amount();
            fromKinds[i] = p.from().kind().name();
            toKinds[i] = p.to().kind().name();
            references[i] = p.reference();
            participants[i] = pending.participantId() == null ? null : pending.participantId().toString();
            fromOwners[i] = p.from().owner();
            toOwners[i] = p.to().owner();
            times[i] = pending.at().toString();
        }
        // Movements get their sequence numbers in the order recorded (ordinality).
        NativeWrites.on(em, """
                WITH p AS MATERIALIZED (
                    SELECT cast(x.movement AS uuid) AS movement_id, x.reason, x.amount, x.from_kind, x.to_kind,
                           x.reference, cast(x.participant AS uuid) AS participant_id, x.from_owner, x.to_owner,
                           cast(x.at AS timestamptz) AS occurred_at, x.n
                    FROM unnest(cast(?1 AS text[]), cast(?2 AS text[]), cast(?3 AS bigint[]), cast(?4 AS text[]),
                                cast(?5 AS text[]), cast(?6 AS text[]), cast(?7 AS text[]), cast(?8 AS text[]),
                                cast(?9 AS text[]), cast(?10 AS text[])) WITH ORDINALITY
                         AS x(movement, reason, amount, from_kind, to_kind, reference, participant, from_owner,
                              to_owner, at, n)),
                m AS (
                    INSERT INTO ledger_movement (movement_id, reason, amount, from_kind, to_kind, reference,
                                                 participant_id, occurred_at)
                    SELECT movement_id, reason, amount, from_kind, to_kind, reference, participant_id, occurred_at
                    FROM p ORDER BY n
                    RETURNING movement_id)
                INSERT INTO ledger_entry (movement_id, line, account_kind, owner_id, amount)
                SELECT p.movement_id, 1, p.from_kind, p.from_owner, -p.amount FROM p JOIN m USING (movement_id)
                UNION ALL
                SELECT p.movement_id, 2, p.to_kind, p.to_owner, p.amount FROM p JOIN m USING (movement_id)""",
                "ledger_movement", "ledger_entry")
                .setParameter(1, movements).setParameter(2, reasons).setParameter(3, amounts)
                .setParameter(4, fromKinds).setParameter(5, toKinds).setParameter(6, references)
                .setParameter(7, participants).setParameter(8, fromOwners).setParameter(9, toOwners)
                .setParameter(10, times).executeUpdate();
    }

    /** A participant's balances derived from the ledger: pending, available and held (absent kinds are 0). */
    public Map<AccountKind, Long> participantBalances(UUID participantId) {
        Map<AccountKind, Long> balances = new EnumMap<>(AccountKind.class);
        for (AccountKind kind : AccountKind.values()) {
            if (kind.participant()) {
                balances.put(kind, 0L);
            }
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT account_kind, sum(amount)::bigint FROM ledger_entry "
                + "WHERE owner_id = ?1 AND account_kind IN " + PARTICIPANT_KINDS + " GROUP BY account_kind")
                .setParameter(1, participantId.toString()).getResultList();
        for (Object[] row : rows) {
            balances.put(AccountKind.valueOf((String) row[0]), Rows.toLong(row[1]));
        }
        return balances;
    }

    /** The participant's movements, newest first; {@code limit} 0 means all. */
    public List<Movement> movements(UUID participantId, int limit, boolean newestFirst) {
        var query = em.createNativeQuery("SELECT movement_id, reason, amount, from_kind, to_kind, reference, "
                + "occurred_at FROM ledger_movement WHERE participant_id = ?1 ORDER BY seq "
                + (newestFirst ? "DESC" : "ASC"))
                .setParameter(1, participantId);
        if (limit > 0) {
            query.setMaxResults(limit);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        List<Movement> movements = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            movements.add(new Movement(Rows.toUuid(r[0]), MovementReason.valueOf((String) r[1]), Rows.toLong(r[2]),
                    AccountKind.valueOf((String) r[3]), AccountKind.valueOf((String) r[4]), (String) r[5],
                    NativeReads.instant(r[6])));
        }
        return movements;
    }

    /**
     * Anonymises an erased participant's ledger history: their accounts get a fresh random owner id that links
     * to nothing, their movements lose the participant and any report or lot reference. Balances stay
     * verifiable (they are all zero by then).
     */
    public void anonymise(UUID participantId) {
        em.createNativeQuery("UPDATE ledger_entry SET owner_id = ?1 WHERE owner_id = ?2 AND account_kind IN "
                + PARTICIPANT_KINDS)
                .setParameter(1, "anonymous-" + UUID.randomUUID()).setParameter(2, participantId.toString())
                .executeUpdate();
        em.createNativeQuery("""
                UPDATE ledger_movement SET participant_id = NULL,
                    reference = CASE WHEN reason LIKE 'REDEMPTION_%' THEN reference ELSE '' END
                WHERE participant_id = ?1""")
                .setParameter(1, participantId).executeUpdate();
    }

    /** Programme-wide totals of movements in [start, end). */
    public PointTotals totals(Instant start, Instant end) {
        Object[] r = (Object[]) em.createNativeQuery("""
                SELECT coalesce(sum(amount) FILTER (WHERE reason = 'REPORT_AWARD'), 0)::bigint,
                       coalesce(sum(amount) FILTER (WHERE reason = 'REDEMPTION_CAPTURE'), 0)::bigint,
                       coalesce(sum(amount) FILTER (WHERE reason = 'EXPIRY'), 0)::bigint,
                       coalesce(sum(amount) FILTER (WHERE reason = 'REVERSAL'), 0)::bigint,
                       coalesce(sum(amount) FILTER (WHERE reason = 'WITHDRAWAL_FORFEIT'), 0)::bigint
                FROM ledger_movement WHERE occurred_at >= ?1 AND occurred_at < ?2""")
                .setParameter(1, start).setParameter(2, end).getSingleResult();
        long shortfall = Rows.toLong(em.createNativeQuery("SELECT coalesce(sum(shortfall), 0)::bigint FROM reversal "
                + "WHERE reversed_at >= ?1 AND reversed_at < ?2")
                .setParameter(1, start).setParameter(2, end).getSingleResult());
        return new PointTotals(start, end, Rows.toLong(r[0]), Rows.toLong(r[1]), Rows.toLong(r[2]), Rows.toLong(r[3]),
                shortfall, Rows.toLong(r[4]));
    }

    /**
     * Verifies the whole ledger; run it in one snapshot (the caller's transaction is repeatable read). Checks
     * that every movement is exactly a debit and an equal credit, that no account but the issuance account is
     * negative, that every wallet's lots and open holds agree with its derived balances, and that every lot
     * accounts for its whole amount.
     */
    public LedgerCheck verify(Instant now) {
        List<KindTotal> totals = new ArrayList<>();
        long entries = 0;
        Map<AccountKind, long[]> byKind = new EnumMap<>(AccountKind.class);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT account_kind,
                       coalesce(sum(-amount) FILTER (WHERE amount < 0), 0)::bigint,
                       coalesce(sum(amount) FILTER (WHERE amount > 0), 0)::bigint,
                       count(*)
                FROM ledger_entry GROUP BY account_kind""").getResultList();
        for (Object[] r : rows) {
            byKind.put(AccountKind.valueOf((String) r[0]), new long[] {Rows.toLong(r[1]), Rows.toLong(r[2])});
            entries += Rows.toLong(r[3]);
        }
        for (AccountKind kind : AccountKind.values()) {
            long[] dc = byKind.getOrDefault(kind, new long[2]);
            totals.add(new KindTotal(kind, dc[0], dc[1]));
        }
        Optional<Discrepancy> found = unbalancedMovement().or(this::negativeBalance).or(this::walletMismatch)
                .or(this::lotMismatch);
        return new LedgerCheck(List.copyOf(totals), found, entries, now);
    }

    private Optional<Discrepancy> unbalancedMovement() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT m.movement_id, m.amount, coalesce(sum(e.amount), 0)::bigint, count(e.movement_id),
                       coalesce(max(e.amount), 0)::bigint
                FROM ledger_movement m LEFT JOIN ledger_entry e ON e.movement_id = m.movement_id
                GROUP BY m.movement_id, m.amount
                HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.movement_id) <> 2 OR max(e.amount) <> m.amount
                LIMIT 1""").getResultList();
        return rows.stream().findFirst().map(r -> new Discrepancy(DiscrepancyKind.UNBALANCED_MOVEMENT,
                Rows.toUuid(r[0]).toString(), null, "", "movement of " + Rows.toLong(r[1]) + " has "
                        + Rows.toLong(r[3]) + " entries summing to " + Rows.toLong(r[2]) + " (expected 2 entries, "
                        + "-" + Rows.toLong(r[1]) + " and +" + Rows.toLong(r[1]) + ", summing to 0)"));
    }

    private Optional<Discrepancy> negativeBalance() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT account_kind, owner_id, sum(amount)::bigint FROM ledger_entry
                WHERE account_kind <> 'PROGRAM_ISSUANCE'
                GROUP BY account_kind, owner_id HAVING sum(amount) < 0 LIMIT 1""").getResultList();
        return rows.stream().findFirst().map(r -> new Discrepancy(DiscrepancyKind.NEGATIVE_BALANCE, "",
                AccountKind.valueOf((String) r[0]), (String) r[1], "derived balance " + Rows.toLong(r[2])
                        + " (expected 0 or more)"));
    }

    private Optional<Discrepancy> walletMismatch() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                WITH bal AS (
                    SELECT owner_id,
                           coalesce(sum(amount) FILTER (WHERE account_kind = 'PARTICIPANT_PENDING'), 0) AS pending,
                           coalesce(sum(amount) FILTER (WHERE account_kind = 'PARTICIPANT_AVAILABLE'), 0) AS available,
                           coalesce(sum(amount) FILTER (WHERE account_kind = 'PARTICIPANT_HELD'), 0) AS held
                    FROM ledger_entry WHERE account_kind IN %s GROUP BY owner_id),
                lots AS (
                    SELECT participant_id::text AS owner_id,
                           coalesce(sum(remaining) FILTER (WHERE state = 'PENDING'), 0) AS pending,
                           coalesce(sum(remaining) FILTER (WHERE state = 'AVAILABLE'), 0) AS available,
                           coalesce(sum(remaining) FILTER (WHERE state NOT IN ('PENDING', 'AVAILABLE')), 0) AS stray
                    FROM award_lot GROUP BY participant_id),
                holds AS (
                    SELECT r.participant_id::text AS owner_id, sum(a.points) AS held
                    FROM hold_allocation a JOIN redemption r ON r.redemption_id = a.redemption_id
                    WHERE r.state = 'HELD' GROUP BY r.participant_id)
                SELECT owner_id, coalesce(bal.pending, 0)::bigint, coalesce(lots.pending, 0)::bigint,
                       coalesce(bal.available, 0)::bigint, coalesce(lots.available, 0)::bigint,
                       coalesce(bal.held, 0)::bigint, coalesce(holds.held, 0)::bigint, coalesce(lots.stray, 0)::bigint
                FROM bal FULL JOIN lots USING (owner_id) FULL JOIN holds USING (owner_id)
                WHERE coalesce(bal.pending, 0) <> coalesce(lots.pending, 0)
                   OR coalesce(bal.available, 0) <> coalesce(lots.available, 0)
                   OR coalesce(bal.held, 0) <> coalesce(holds.held, 0)
                   OR coalesce(lots.stray, 0) <> 0
                LIMIT 1""".formatted(PARTICIPANT_KINDS)).getResultList();
        return rows.stream().findFirst().map(r -> new Discrepancy(DiscrepancyKind.LOT_MISMATCH, "",
                AccountKind.PARTICIPANT_AVAILABLE, (String) r[0], "ledger pending/available/held "
                        + Rows.toLong(r[1]) + "/" + Rows.toLong(r[3]) + "/" + Rows.toLong(r[5])
                        + " but lots and holds " + Rows.toLong(r[2]) + "/" + Rows.toLong(r[4]) + "/"
                        + Rows.toLong(r[6]) + (Rows.toLong(r[7]) != 0
                                ? ", and closed lots keep " + Rows.toLong(r[7]) + " points" : "")));
    }

    private Optional<Discrepancy> lotMismatch() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT l.participant_id::text, l.lot_id, l.amount,
                       (l.remaining + l.spent + l.expired + l.clawed_back + coalesce(h.held, 0))::bigint
                FROM award_lot l
                LEFT JOIN (SELECT a.lot_id, sum(a.points) AS held FROM hold_allocation a
                           JOIN redemption r ON r.redemption_id = a.redemption_id
                           WHERE r.state = 'HELD' GROUP BY a.lot_id) h ON h.lot_id = l.lot_id
                WHERE l.amount <> l.remaining + l.spent + l.expired + l.clawed_back + coalesce(h.held, 0)
                LIMIT 1""").getResultList();
        return rows.stream().findFirst().map(r -> new Discrepancy(DiscrepancyKind.LOT_MISMATCH, "",
                AccountKind.PARTICIPANT_AVAILABLE, (String) r[0], "lot " + r[1] + " of " + Rows.toLong(r[2])
                        + " points accounts for " + Rows.toLong(r[3]) + " (remaining + held + spent + expired + "
                        + "clawed back)"));
    }
}
