package org.civiccredit.reports.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.civiccredit.kit.domain.ProtectedGround;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.reports.config.AccountabilityConfig;
import org.civiccredit.reports.domain.AgencyRecord;
import org.civiccredit.reports.persistence.AgencyEntity;

/**
 * Each agency's accountability record: its reports, the contests against them and how they ended, and its
 * refused reports. An agency whose overturns or refusals cross the configured thresholds is flagged.
 */
@ApplicationScoped
public class AgencyRecords {

    @Inject
    EntityManager em;

    @Inject
    RefusalCounts refusals;

    @Inject
    AccountabilityConfig config;

    @Transactional(Transactional.TxType.SUPPORTS)
    public AgencyRecord of(String agencyId, Instant from, Instant to) {
        if (agencyId.isEmpty()) {
            throw Refusal.invalid("agency_id", "required");
        }
        if (AgencyEntity.findByIdOptional(agencyId).isEmpty()) {
            throw Refusal.notFound("no agency " + agencyId);
        }
        Object[] reports = (Object[]) em.createNativeQuery("""
                SELECT count(*),
                       count(*) FILTER (WHERE r.status = 'WITHDRAWN'),
                       count(*) FILTER (WHERE r.status = 'WITHDRAWN' AND c.state = 'CLOSED')
                FROM report r LEFT JOIN contest c ON c.report_id = r.report_id
                WHERE r.agency_id = ?1 AND r.received_at >= ?2 AND r.received_at < ?3""")
                .setParameter(1, agencyId).setParameter(2, from).setParameter(3, to).getSingleResult();
        Object[] contests = (Object[]) em.createNativeQuery("""
                SELECT count(*),
                       count(*) FILTER (WHERE c.state = 'UPHELD'),
                       count(*) FILTER (WHERE c.state = 'OVERTURNED'),
                       count(*) FILTER (WHERE c.state = 'OPEN')
                FROM contest c JOIN report r ON r.report_id = c.report_id
                WHERE r.agency_id = ?1 AND c.opened_at >= ?2 AND c.opened_at < ?3""")
                .setParameter(1, agencyId).setParameter(2, from).setParameter(3, to).getSingleResult();
        long accepted = n(reports[0]);
        long overturned = n(contests[2]);
        Map<ProtectedGround, Long> grounds = refusals.protectedGrounds(agencyId, from, to);
        long outOfScope = refusals.outOfScope(agencyId, from, to);
        double rate = accepted == 0 ? 0 : (double) overturned / accepted;

        List<AgencyRecord.Flag> flags = new ArrayList<>();
        if (accepted >= config.minReportsForRate() && rate > config.maxOverturnRate()) {
            flags.add(AgencyRecord.Flag.OVERTURN_RATE);
        }
        if (grounds.values().stream().mapToLong(Long::longValue).sum() > config.maxProtectedGroundRefusals()) {
            flags.add(AgencyRecord.Flag.PROTECTED_GROUND_REFUSALS);
        }
        if (outOfScope > config.maxOutOfScopeRefusals()) {
            flags.add(AgencyRecord.Flag.OUT_OF_SCOPE_REFUSALS);
        }
        if (n(reports[2]) > config.maxWithdrawnWhileContested()) {
            flags.add(AgencyRecord.Flag.WITHDRAWN_WHILE_CONTESTED);
        }
        return new AgencyRecord(agencyId, from, to, accepted, n(reports[1]), n(reports[2]), n(contests[0]),
                n(contests[1]), overturned, n(contests[3]), grounds, outOfScope, rate, List.copyOf(flags));
    }

    private static long n(Object value) {
        return ((Number) value).longValue();
    }
}
