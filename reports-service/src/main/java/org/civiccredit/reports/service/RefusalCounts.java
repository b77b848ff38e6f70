package org.civiccredit.reports.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.kit.domain.ProtectedGround;

/**
 * Counts refused reports per agency, reason and (UTC) day: protected grounds by ground, and rules outside the
 * agency's scope. Counts only; the refused text is never stored.
 */
@ApplicationScoped
public class RefusalCounts {

    public static final String PROTECTED_GROUND = "PROTECTED_GROUND";
    public static final String OUT_OF_SCOPE = "RULE_OUTSIDE_AGENCY_SCOPE";

    @Inject
    EntityManager em;

    @Inject
    AuditLog audit;

    /** Counted in a transaction of its own: the refused report itself is rolled back, its count is not. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void protectedGround(String agencyId, ProtectedGround ground) {
        count(agencyId, PROTECTED_GROUND, ground.name());
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void outOfScope(String agencyId) {
        count(agencyId, OUT_OF_SCOPE, "");
    }

    private void count(String agencyId, String reason, String ground) {
        em.createNativeQuery("""
                INSERT INTO intake_refusal (agency_id, reason, ground, day, refusals)
                VALUES (?1, ?2, ?3, (now() AT TIME ZONE 'UTC')::date, 1)
                ON CONFLICT (agency_id, reason, ground, day)
                DO UPDATE SET refusals = intake_refusal.refusals + 1""")
                .setParameter(1, agencyId).setParameter(2, reason).setParameter(3, ground).executeUpdate();
        // The refused call itself rolls back and leaves no audit entry; the count it leaves is recorded here.
        audit.record("intake:refusal-counted", audit.currentActor(),
                "agency_id=" + agencyId + ",reason=" + reason + (ground.isEmpty() ? "" : ",ground=" + ground));
    }

    /** Protected-ground refusals of an agency by ground, on the days of [from, to). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<ProtectedGround, Long> protectedGrounds(String agencyId, Instant from, Instant to) {
        return byGround(agencyId, from, to);
    }

    /** Protected-ground refusals of every agency together, by ground, on the days of [from, to). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<ProtectedGround, Long> protectedGrounds(Instant from, Instant to) {
        return byGround(null, from, to);
    }

    private Map<ProtectedGround, Long> byGround(String agencyId, Instant from, Instant to) {
        Query query = em.createNativeQuery("""
                SELECT ground, sum(refusals) FROM intake_refusal
                WHERE reason = ?1 AND day >= ?2 AND day < ?3""" + (agencyId == null ? "" : " AND agency_id = ?4")
                + " GROUP BY ground")
                .setParameter(1, PROTECTED_GROUND).setParameter(2, day(from)).setParameter(3, day(to));
        if (agencyId != null) {
            query.setParameter(4, agencyId);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        Map<ProtectedGround, Long> byGround = new EnumMap<>(ProtectedGround.class);
        rows.forEach(r -> byGround.put(ProtectedGround.valueOf((String) r[0]), ((Number) r[1]).longValue()));
        return byGround;
    }

    /** Out-of-scope refusals of an agency on the days of [from, to). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long outOfScope(String agencyId, Instant from, Instant to) {
        Object n = em.createNativeQuery("""
                SELECT coalesce(sum(refusals), 0) FROM intake_refusal
                WHERE agency_id = ?1 AND reason = ?2 AND day >= ?3 AND day < ?4""")
                .setParameter(1, agencyId).setParameter(2, OUT_OF_SCOPE).setParameter(3, day(from))
                .setParameter(4, day(to)).getSingleResult();
        return ((Number) n).longValue();
    }

    /** All-time protected-ground refusals of an agency on one ground. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long of(String agencyId, ProtectedGround ground) {
        return protectedGrounds(agencyId, Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z"))
                .getOrDefault(ground, 0L);
    }

    private static LocalDate day(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }
}
