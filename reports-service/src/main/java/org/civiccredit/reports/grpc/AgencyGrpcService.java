package org.civiccredit.reports.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.util.List;
import org.civiccredit.api.common.v1.ConductCategory;
import java.time.Instant;
import org.civiccredit.api.common.v1.ProtectedGround;
import org.civiccredit.api.common.v1.TimeRange;
import org.civiccredit.api.reports.v1.Agency;
import org.civiccredit.api.reports.v1.AgencyFlagReason;
import org.civiccredit.api.reports.v1.AgencyRecord;
import org.civiccredit.api.reports.v1.GetAgencyRecordRequest;
import org.civiccredit.api.reports.v1.ProtectedGroundCount;
import org.civiccredit.api.reports.v1.AgencyServiceGrpc;
import org.civiccredit.api.reports.v1.AgencyStatus;
import org.civiccredit.api.reports.v1.GetAgencyRequest;
import org.civiccredit.api.reports.v1.ListAgenciesRequest;
import org.civiccredit.api.reports.v1.ListAgenciesResponse;
import org.civiccredit.api.reports.v1.RegisterAgencyRequest;
import org.civiccredit.api.reports.v1.ReinstateAgencyRequest;
import org.civiccredit.api.reports.v1.SuspendAgencyRequest;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.reports.service.Agencies;
import org.civiccredit.reports.service.AgencyRecords;

/**
 * gRPC adapter of AgencyService: administrators register agencies with their scope, read their
 * accountability record, and suspend them.
 */
@GrpcService
@Authenticated
public class AgencyGrpcService extends AgencyServiceGrpc.AgencyServiceImplBase {

    private static final String AGENCIES_LIST = "agencies";

    @Inject
    Agencies agencies;

    @Inject
    AgencyRecords records;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void registerAgency(RegisterAgencyRequest request, StreamObserver<Agency> response) {
        Replies.reply(response, idempotent.onceForCaller("RegisterAgency", request.getIdempotencyKey(),
                request, Agency.parser(), () -> toProto(agencies.register(request.getAgencyId(),
                        request.getDisplayName(), categories(request.getAllowedCategoriesList()),
                        request.getKeycloakClientId()))));
    }

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void getAgency(GetAgencyRequest request, StreamObserver<Agency> response) {
        Replies.reply(response, toProto(agencies.get(request.getAgencyId())));
    }

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void listAgencies(ListAgenciesRequest request, StreamObserver<ListAgenciesResponse> response) {
        String list = AGENCIES_LIST + ":" + request.getStatus().name();
        Page page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), list);
        Boolean suspended = switch (request.getStatus()) {
            case AGENCY_STATUS_ACTIVE -> false;
            case AGENCY_STATUS_SUSPENDED -> true;
            default -> null;
        };
        var found = agencies.list(suspended, page.cursor(), page.size() + 1);
        ListAgenciesResponse.Builder b = ListAgenciesResponse.newBuilder();
        found.stream().limit(page.size()).forEach(a -> b.addAgencies(toProto(a)));
        if (found.size() > page.size()) {
            b.setNextPageToken(Page.token(list, found.get(page.size() - 1).agencyId()));
        }
        Replies.reply(response, b.build());
    }

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void suspendAgency(SuspendAgencyRequest request, StreamObserver<Agency> response) {
        Replies.reply(response, idempotent.onceForCaller("SuspendAgency", request.getIdempotencyKey(),
                request, Agency.parser(),
                () -> toProto(agencies.suspend(request.getAgencyId(), request.getReason()))));
    }

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void reinstateAgency(ReinstateAgencyRequest request, StreamObserver<Agency> response) {
        Replies.reply(response, idempotent.onceForCaller("ReinstateAgency", request.getIdempotencyKey(),
                request, Agency.parser(), () -> toProto(agencies.reinstate(request.getAgencyId()))));
    }

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void getAgencyRecord(GetAgencyRecordRequest request, StreamObserver<AgencyRecord> response) {
        TimeRange period = request.getPeriod();
        Violations v = new Violations();
        Instant from = period.hasStart() ? ProtoTime.instant(period.getStart(), "period.start", v) : Instant.EPOCH;
        Instant to = period.hasEnd() ? ProtoTime.instant(period.getEnd(), "period.end", v)
                : Instant.parse("9999-01-01T00:00:00Z");
        v.throwIfAny();
        if (to.isBefore(from)) {
            throw Refusal.invalid("period.end", "must not be before period.start");
        }
        org.civiccredit.reports.domain.AgencyRecord r = records.of(request.getAgencyId(), from, to);
        AgencyRecord.Builder b = AgencyRecord.newBuilder()
                .setAgencyId(r.agencyId())
                .setPeriod(period)
                .setReportsAccepted(r.reportsAccepted())
                .setReportsWithdrawn(r.reportsWithdrawn())
                .setReportsWithdrawnWhileContested(r.withdrawnWhileContested())
                .setContestsOpened(r.contestsOpened())
                .setContestsUpheld(r.contestsUpheld())
                .setContestsOverturned(r.contestsOverturned())
                .setContestsOpen(r.contestsOpen())
                .setProtectedGroundRefusals(r.protectedGroundRefusalTotal())
                .setOutOfScopeRefusals(r.outOfScopeRefusals())
                .setOverturnRate(r.overturnRate())
                .setFlagged(!r.flags().isEmpty())
                .setAsOf(ProtoTime.timestamp(Instant.now()));
        r.protectedGroundRefusals().forEach((ground, count) -> b.addProtectedGroundRefusalsByGround(
                ProtectedGroundCount.newBuilder().setGround(ProtectedGround.valueOf(ground.name())).setCount(count)));
        r.flags().forEach(f -> b.addFlagReasons(AgencyFlagReason.valueOf("AGENCY_FLAG_REASON_" + f.name())));
        Replies.reply(response, b.build());
    }

    /** Unknown or unset categories become null so the domain can name their position. */
    private static List<org.civiccredit.kit.domain.ConductCategory> categories(List<ConductCategory> categories) {
        return categories.stream().map(c -> c == ConductCategory.CONDUCT_CATEGORY_UNSPECIFIED
                || c == ConductCategory.UNRECOGNIZED ? null
                : org.civiccredit.kit.domain.ConductCategory.valueOf(c.name())).toList();
    }

    static Agency toProto(org.civiccredit.reports.domain.Agency a) {
        Agency.Builder b = Agency.newBuilder()
                .setAgencyId(a.agencyId())
                .setDisplayName(a.displayName())
                .setKeycloakClientId(a.keycloakClientId())
                .setStatus(a.suspended() ? AgencyStatus.AGENCY_STATUS_SUSPENDED : AgencyStatus.AGENCY_STATUS_ACTIVE)
                .setCreatedAt(ProtoTime.timestamp(a.createdAt()));
        a.scope().stream().sorted().forEach(c -> b.addAllowedCategories(ConductCategory.valueOf(c.name())));
        if (a.suspended()) {
            b.setSuspensionReason(a.suspensionReason()).setSuspendedAt(ProtoTime.timestamp(a.suspendedAt()));
        }
        return b.build();
    }
}
