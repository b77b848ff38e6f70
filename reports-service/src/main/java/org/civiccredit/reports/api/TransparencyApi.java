package org.civiccredit.reports.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.common.v1.ProtectedGround;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.reports.v1.AgencyFigures;
import org.civiccredit.api.reports.v1.CategoryCount;
import org.civiccredit.api.reports.v1.GetTransparencyReportRequest;
import org.civiccredit.api.reports.v1.GroundRefusals;
import org.civiccredit.api.reports.v1.SuppressibleCount;
import org.civiccredit.api.reports.v1.SuppressibleRate;
import org.civiccredit.api.reports.v1.TransparencyReport;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.reports.config.TransparencyConfig;
import org.civiccredit.reports.domain.Suppression;
import org.civiccredit.reports.domain.TransparencyFigures;
import org.civiccredit.reports.service.TransparencyReports;

/**
 * TransparencyService's v1 call, whatever the transport: the published report, in which every number has
 * passed through {@link Suppression} — the true figures never leave this class.
 */
@ApplicationScoped
public class TransparencyApi {

    @Inject
    TransparencyReports reports;

    @Inject
    TransparencyConfig config;

    public TransparencyReport report(GetTransparencyReportRequest request) {
        TimeRange period = request.getPeriod();
        TransparencyFigures f = reports.figures(
                period.hasStart() ? ProtoTime.requireValid(period.getStart(), "period") : null,
                period.hasEnd() ? ProtoTime.requireValid(period.getEnd(), "period") : null);
        Suppression s = new Suppression(config.suppressionThreshold());
        TransparencyReport.Builder b = TransparencyReport.newBuilder()
                .setPeriod(TimeRange.newBuilder().setStart(ProtoTime.timestamp(f.start()))
                        .setEnd(ProtoTime.timestamp(f.end())))
                .setGeneratedAt(ProtoTime.timestamp(Instant.now()))
                .setSuppressionThreshold(s.threshold())
                .setReportsAccepted(count(s, f.reportsAccepted()))
                .setContestsOpened(count(s, f.contestsOpened()))
                .setContestsUpheld(count(s, f.contestsUpheld()))
                .setContestsOverturned(count(s, f.contestsOverturned()))
                .setContestRate(rate(s, f.contestsOpened(), f.reportsAccepted()))
                .setContestOverturnRate(rate(s, f.contestsOverturned(), f.contestsUpheld(), f.contestsOverturned()))
                .setReportsWithdrawn(count(s, f.reportsWithdrawn()))
                .setPointsIssued(count(s, f.points().issued()))
                .setPointsRedeemed(count(s, f.points().redeemed()))
                .setPointsExpired(count(s, f.points().expired()))
                .setPointsClawedBack(count(s, f.points().clawedBack()))
                .setParticipantsEnrolled(count(s, f.participantsEnrolled()));
        f.reportsByCategory().forEach((category, n) -> b.addReportsByCategory(CategoryCount.newBuilder()
                .setCategory(ConductCategory.valueOf(category.name())).setReports(count(s, n))));
        f.agencies().forEach(a -> b.addReportsByAgency(AgencyFigures.newBuilder()
                .setAgencyId(a.agencyId()).setDisplayName(a.displayName())
                .setReports(count(s, a.reportsAccepted()))
                .setContests(count(s, a.contestsOpened()))
                .setOverturns(count(s, a.contestsOverturned()))
                .setOverturnRate(rate(s, a.contestsOverturned(), a.reportsAccepted()))));
        f.refusalsByGround().forEach((ground, n) -> b.addRefusalsByProtectedGround(GroundRefusals.newBuilder()
                .setGround(ProtectedGround.valueOf(ground.name())).setRefusals(count(s, n))));
        return b.build();
    }

    private static SuppressibleCount count(Suppression s, long n) {
        Suppression.Count c = s.count(n);
        return SuppressibleCount.newBuilder().setValue(c.value()).setSuppressed(c.suppressed()).build();
    }

    private static SuppressibleRate rate(Suppression s, long numerator, long... denominatorParts) {
        Suppression.Rate r = s.rate(numerator, denominatorParts);
        return SuppressibleRate.newBuilder().setValue(r.value()).setSuppressed(r.suppressed()).build();
    }
}
