package org.civiccredit.reports.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.kit.domain.ProtectedGround;

/**
 * The programme's true aggregate figures for a period, before suppression: what the public transparency report
 * is made from. Organisations (agencies) are named; people never are.
 *
 * @param start first instant of the period (00:00 UTC)
 * @param end first instant after the period (00:00 UTC)
 * @param reportsByCategory reports accepted per conduct category (every category present)
 * @param agencies every registered agency with its figures, by agency id
 * @param refusalsByGround protected-ground refusals per ground (every ground present)
 * @param participantsEnrolled participants enrolled at {@code end}
 * @param points points totals from rewards-service
 */
public record TransparencyFigures(Instant start, Instant end, Map<ConductCategory, Long> reportsByCategory,
        List<AgencyFigures> agencies, Map<ProtectedGround, Long> refusalsByGround, long participantsEnrolled,
        Points points) {

    /** One agency's figures. */
    public record AgencyFigures(String agencyId, String displayName, long reportsAccepted, long reportsWithdrawn,
            long contestsOpened, long contestsUpheld, long contestsOverturned) {
    }

    /** Points moved in the period. */
    public record Points(long issued, long redeemed, long expired, long clawedBack) {
    }

    public long reportsAccepted() {
        return agencies.stream().mapToLong(AgencyFigures::reportsAccepted).sum();
    }

    public long reportsWithdrawn() {
        return agencies.stream().mapToLong(AgencyFigures::reportsWithdrawn).sum();
    }

    public long contestsOpened() {
        return agencies.stream().mapToLong(AgencyFigures::contestsOpened).sum();
    }

    public long contestsUpheld() {
        return agencies.stream().mapToLong(AgencyFigures::contestsUpheld).sum();
    }

    public long contestsOverturned() {
        return agencies.stream().mapToLong(AgencyFigures::contestsOverturned).sum();
    }
}
