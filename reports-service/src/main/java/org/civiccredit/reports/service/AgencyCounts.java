package org.civiccredit.reports.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reports and contests per agency over a period — the one definition that an agency's accountability record
 * and the public transparency report share: reports by when they were received, contests by when they were
 * opened, each contest counted against the agency of the report it concerns, in the state it is in now.
 */
@ApplicationScoped
public class AgencyCounts {

    /** One agency's figures for a period. */
    public record Counts(long reportsAccepted, long reportsWithdrawn, long withdrawnWhileContested,
            long contestsOpened, long contestsUpheld, long contestsOverturned, long contestsOpen) {

        public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0);

        /** Contests overturned per report accepted (0 without reports). */
        public double overturnRate() {
            return reportsAccepted == 0 ? 0 : (double) contestsOverturned / reportsAccepted;
        }
    }

    @Inject
    EntityManager em;

    /** The figures of one agency in [from, to). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Counts of(String agencyId, Instant from, Instant to) {
        return query(agencyId, from, to).getOrDefault(agencyId, Counts.NONE);
    }

    /** The figures of every agency with a report or contest in [from, to), by agency id. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<String, Counts> all(Instant from, Instant to) {
        return query(null, from, to);
    }

    private Map<String, Counts> query(String agencyId, Instant from, Instant to) {
        String onlyAgency = agencyId == null ? "" : " AND r.agency_id = ?3";
        List<Object[]> reports = rows(em.createNativeQuery("""
                SELECT r.agency_id, count(*),
                       count(*) FILTER (WHERE r.status = 'WITHDRAWN'),
                       count(*) FILTER (WHERE r.status = 'WITHDRAWN' AND c.state = 'CLOSED')
                FROM report r LEFT JOIN contest c ON c.report_id = r.report_id
                WHERE r.received_at >= ?1 AND r.received_at < ?2""" + onlyAgency + " GROUP BY r.agency_id"),
                agencyId, from, to);
        List<Object[]> contests = rows(em.createNativeQuery("""
                SELECT r.agency_id, count(*),
                       count(*) FILTER (WHERE c.state = 'UPHELD'),
                       count(*) FILTER (WHERE c.state = 'OVERTURNED'),
                       count(*) FILTER (WHERE c.state = 'OPEN')
                FROM contest c JOIN report r ON r.report_id = c.report_id
                WHERE c.opened_at >= ?1 AND c.opened_at < ?2""" + onlyAgency + " GROUP BY r.agency_id"),
                agencyId, from, to);
        Map<String, Counts> byAgency = new HashMap<>();
        reports.forEach(r -> byAgency.put((String) r[0], new Counts(n(r[1]), n(r[2]), n(r[3]), 0, 0, 0, 0)));
        contests.forEach(c -> {
            Counts k = byAgency.getOrDefault((String) c[0], Counts.NONE);
            byAgency.put((String) c[0], new Counts(k.reportsAccepted(), k.reportsWithdrawn(),
                    k.withdrawnWhileContested(), n(c[1]), n(c[2]), n(c[3]), n(c[4])));
        });
        return byAgency;
    }

    @SuppressWarnings("unchecked")
    private static List<Object[]> rows(Query query, String agencyId, Instant from, Instant to) {
        query.setParameter(1, from).setParameter(2, to);
        if (agencyId != null) {
            query.setParameter(3, agencyId);
        }
        return query.getResultList();
    }

    private static long n(Object value) {
        return ((Number) value).longValue();
    }
}
