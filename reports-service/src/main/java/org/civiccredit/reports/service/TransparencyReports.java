package org.civiccredit.reports.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.rewards.v1.GetPeriodTotalsRequest;
import org.civiccredit.api.rewards.v1.PointTotals;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.kit.domain.ConductCategory;
import org.civiccredit.kit.domain.ProtectedGround;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;
import org.civiccredit.reports.config.TransparencyConfig;
import org.civiccredit.reports.domain.TransparencyFigures;
import org.civiccredit.reports.persistence.AgencyEntity;

/**
 * The figures of the public transparency report for a period of whole UTC days: this service's reports,
 * contests, refusals and enrolments, and the points totals that rewards-service keeps (asked with this
 * service's token). Whole days only, so that overlapping periods cannot be subtracted to isolate one event.
 */
@ApplicationScoped
public class TransparencyReports {

    @Inject
    EntityManager em;

    @Inject
    AgencyCounts counts;

    @Inject
    RefusalCounts refusals;

    @Inject
    TransparencyConfig config;

    @Inject
    @GrpcClient("rewards")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    RewardsInternalServiceBlockingStub rewards;

    /** The figures for [start, end); both bounds at 00:00 UTC, end after start, at most the configured length. */
    public TransparencyFigures figures(Instant start, Instant end) {
        requireWholeDays(start, end);
        TransparencyFigures.Points points = points(start, end);
        Map<String, AgencyCounts.Counts> byAgency = counts.all(start, end);
        List<TransparencyFigures.AgencyFigures> agencies = AgencyEntity.<AgencyEntity>listAll().stream()
                .sorted(java.util.Comparator.comparing(a -> a.agencyId)).map(a -> {
                    AgencyCounts.Counts c = byAgency.getOrDefault(a.agencyId, AgencyCounts.Counts.NONE);
                    return new TransparencyFigures.AgencyFigures(a.agencyId, a.displayName, c.reportsAccepted(),
                            c.reportsWithdrawn(), c.contestsOpened(), c.contestsUpheld(), c.contestsOverturned());
                }).toList();
        Map<ProtectedGround, Long> grounds = new EnumMap<>(ProtectedGround.class);
        for (ProtectedGround g : ProtectedGround.values()) {
            grounds.put(g, 0L);
        }
        grounds.putAll(refusals.protectedGrounds(start, end));
        return new TransparencyFigures(start, end, byCategory(start, end), agencies, grounds,
                enrolledAt(end), points);
    }

    private void requireWholeDays(Instant start, Instant end) {
        if (start == null || end == null) {
            throw Refusal.invalid("period", "required: start and end, both at 00:00 UTC");
        }
        if (!start.equals(start.truncatedTo(ChronoUnit.DAYS)) || !end.equals(end.truncatedTo(ChronoUnit.DAYS))) {
            throw Refusal.invalid("period", "start and end must both fall at 00:00 UTC (whole days)");
        }
        if (!end.isAfter(start)) {
            throw Refusal.invalid("period", "end must be after start");
        }
        Duration max = config.maxPeriod();
        if (Duration.between(start, end).compareTo(max) > 0) {
            throw Refusal.invalid("period", "at most " + max.toDays() + " days");
        }
    }

    private Map<ConductCategory, Long> byCategory(Instant start, Instant end) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT category, count(*) FROM report WHERE received_at >= ?1 AND received_at < ?2
                GROUP BY category""").setParameter(1, start).setParameter(2, end).getResultList();
        Map<ConductCategory, Long> byCategory = new EnumMap<>(ConductCategory.class);
        for (ConductCategory c : ConductCategory.values()) {
            byCategory.put(c, 0L);
        }
        rows.forEach(r -> byCategory.put(ConductCategory.valueOf((String) r[0]), ((Number) r[1]).longValue()));
        return byCategory;
    }

    private long enrolledAt(Instant end) {
        return ((Number) em.createNativeQuery("""
                SELECT count(*) FROM participant
                WHERE enrolled_at < ?1 AND (withdrawn_at IS NULL OR withdrawn_at >= ?1)""")
                .setParameter(1, end).getSingleResult()).longValue();
    }

    private TransparencyFigures.Points points(Instant start, Instant end) {
        PointTotals totals;
        try {
            totals = rewards.withDeadlineAfter(5, TimeUnit.SECONDS).getPeriodTotals(GetPeriodTotalsRequest
                    .newBuilder().setPeriod(TimeRange.newBuilder().setStart(ProtoTime.timestamp(start))
                            .setEnd(ProtoTime.timestamp(end)))
                    .build());
        } catch (StatusRuntimeException e) {
            throw Status.UNAVAILABLE.withDescription("the points totals are unavailable (" + e.getStatus().getCode()
                    + " from rewards-service); try again shortly").asRuntimeException();
        }
        return new TransparencyFigures.Points(totals.getIssued(), totals.getRedeemed(), totals.getExpired(),
                totals.getClawedBack());
    }
}
