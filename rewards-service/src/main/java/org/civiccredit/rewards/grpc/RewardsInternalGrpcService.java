package org.civiccredit.rewards.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.civiccredit.api.common.v1.ItemRefusal;
import org.civiccredit.api.rewards.v1.AwardLot;
import org.civiccredit.api.rewards.v1.AwardPointsBatchRequest;
import org.civiccredit.api.rewards.v1.AwardPointsBatchResponse;
import org.civiccredit.api.rewards.v1.AwardPointsResult;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.EraseParticipantRequest;
import org.civiccredit.api.rewards.v1.EraseParticipantResponse;
import org.civiccredit.api.rewards.v1.ExportParticipantDataRequest;
import org.civiccredit.api.rewards.v1.FreezeAwardRequest;
import org.civiccredit.api.rewards.v1.GetPeriodTotalsRequest;
import org.civiccredit.api.rewards.v1.PointTotals;
import org.civiccredit.api.rewards.v1.RegisterParticipantRequest;
import org.civiccredit.api.rewards.v1.RegisterParticipantResponse;
import org.civiccredit.api.rewards.v1.ReleaseAwardRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardResponse;
import org.civiccredit.api.rewards.v1.RewardsDataExport;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ItemBatches;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.rewards.api.RewardsMapping;
import org.civiccredit.rewards.domain.ReversedAward;
import org.civiccredit.kit.audit.AuditedCalls;
import org.civiccredit.rewards.service.LedgerVerification;
import org.civiccredit.kit.audit.Outcome;
import org.civiccredit.rewards.service.Participants;
import org.civiccredit.rewards.service.Wallets;

/**
 * gRPC adapter of RewardsInternalService, called by the other services' outbox relays (role service):
 * participant registration and erasure, awards and what contests decide about them, export and programme
 * totals. Every mutating call is idempotent on its natural id (participant_id or report_id), whatever its key,
 * and audited when it changed something ({@link AuditedCalls}).
 */
@GrpcService
@Authenticated
public class RewardsInternalGrpcService extends RewardsInternalServiceGrpc.RewardsInternalServiceImplBase {

    private static final int MAX_ID_LENGTH = 128;
    private static final int MAX_REASON_LENGTH = 2000;

    @Inject
    Participants participants;

    @Inject
    Wallets wallets;

    @Inject
    LedgerVerification ledger;

    @Inject
    AuditedCalls audited;

    @Inject
    ItemBatches batches;

    @Override
    @Blocking
    @RolesAllowed("service")
    public void registerParticipant(RegisterParticipantRequest request,
            StreamObserver<RegisterParticipantResponse> response) {
        response.onNext(audited.run("RegisterParticipant", request,
                () -> new Outcome<>(request.getParticipantId(),
                        participants.register(request.getParticipantId(), request.getKeycloakSubject())),
                id -> RegisterParticipantResponse.newBuilder().setParticipantId(id).build()));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void awardPoints(AwardPointsRequest request, StreamObserver<AwardLot> response) {
        response.onNext(awarded(request));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void awardPointsBatch(AwardPointsBatchRequest request, StreamObserver<AwardPointsBatchResponse> response) {
        ItemBatches.requireBatch(request.getIdempotencyKey(), request.getAwardsCount(), "awards");
        AwardPointsBatchResponse.Builder answer = AwardPointsBatchResponse.newBuilder();
        for (ItemBatches.Item<AwardLot> item : batches.apply(request.getAwardsList(), this::loadFor, this::awarded)) {
            answer.addResults(item.refused()
                    ? AwardPointsResult.newBuilder().setRefusal(ItemBatches.refusal(item.refusal(),
                            ItemRefusal.newBuilder()))
                    : AwardPointsResult.newBuilder().setLot(item.answer()));
        }
        response.onNext(answer.build());
        response.onCompleted();
    }

    /** Reads up front what a batch's awards need ({@link Wallets#loadForAwards}); malformed ones are left out. */
    private void loadFor(List<AwardPointsRequest> requests) {
        List<UUID> participants = new ArrayList<>(requests.size());
        List<String> reports = new ArrayList<>(requests.size());
        for (AwardPointsRequest r : requests) {
            try {
                participants.add(UUID.fromString(r.getParticipantId()));
                reports.add(r.getReportId());
            } catch (IllegalArgumentException malformed) {
                // refused with its field violation when the award itself is applied
            }
        }
        wallets.loadForAwards(participants, reports);
    }

    /** AwardPoints of one award: checked, applied and audited in the caller's transaction or one of its own. */
    private AwardLot awarded(AwardPointsRequest request) {
        Violations v = new Violations();
        IdempotentCalls.requireValidKey(request.getIdempotencyKey(), v);
        requireId(request.getReportId(), "report_id", v);
        requireId(request.getParticipantId(), "participant_id", v);
        v.require(request.getPoints() > 0, "points", "must be more than 0");
        v.requireText(request.getRuleCode(), 64, "rule_code");
        v.require(request.getRuleTableVersion() >= 1, "rule_table_version",
                "required: a published version (1 or more)");
        v.throwIfAny();
        return audited.run("AwardPoints", request, () -> wallets.award(request.getReportId(),
                request.getParticipantId(), request.getPoints(), request.getRuleCode(), request.getRuleTableVersion(),
                Instant.now()), RewardsMapping::lot);
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void freezeAward(FreezeAwardRequest request, StreamObserver<AwardLot> response) {
        requireKeyAndReport(request.getIdempotencyKey(), request.getReportId());
        response.onNext(audited.run("FreezeAward", request, () -> wallets.freeze(request.getReportId(), Instant.now()),
                RewardsMapping::lot));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void releaseAward(ReleaseAwardRequest request, StreamObserver<AwardLot> response) {
        requireKeyAndReport(request.getIdempotencyKey(), request.getReportId());
        response.onNext(audited.run("ReleaseAward", request,
                () -> wallets.release(request.getReportId(), Instant.now()), RewardsMapping::lot));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void reverseAward(ReverseAwardRequest request, StreamObserver<ReverseAwardResponse> response) {
        Violations v = new Violations();
        IdempotentCalls.requireValidKey(request.getIdempotencyKey(), v);
        requireId(request.getReportId(), "report_id", v);
        v.requireText(request.getReason(), MAX_REASON_LENGTH, "reason");
        v.throwIfAny();
        response.onNext(audited.run("ReverseAward", request,
                () -> wallets.reverse(request.getReportId(), request.getReason(), Instant.now()),
                RewardsInternalGrpcService::reversal));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void eraseParticipant(EraseParticipantRequest request, StreamObserver<EraseParticipantResponse> response) {
        response.onNext(audited.run("EraseParticipant", request,
                () -> wallets.erase(request.getParticipantId(), Instant.now()),
                erasure -> EraseParticipantResponse.newBuilder()
                        .setForfeitedPoints(erasure.forfeitedPoints())
                        .setHoldsVoided(erasure.holdsVoided())
                        .build()));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void exportParticipantData(ExportParticipantDataRequest request,
            StreamObserver<RewardsDataExport> response) {
        response.onNext(wallets.export(request.getParticipantId(), Instant.now()).map(RewardsMapping::export)
                .orElseThrow(() -> Refusal.notFound("no participant " + request.getParticipantId())));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void getPeriodTotals(GetPeriodTotalsRequest request, StreamObserver<PointTotals> response) {
        Violations v = new Violations();
        Instant[] period = RewardsMapping.requiredPeriod(request.hasPeriod(), request.getPeriod(), null, v);
        v.throwIfAny();
        response.onNext(RewardsMapping.totals(ledger.totals(period[0], period[1])));
        response.onCompleted();
    }

    private static ReverseAwardResponse reversal(ReversedAward reversed) {
        return ReverseAwardResponse.newBuilder()
                .setLot(RewardsMapping.lot(reversed.lot()))
                .setClawedBack(reversed.reversal().clawedBack())
                .setShortfall(reversed.reversal().shortfall())
                .build();
    }

    private static void requireKeyAndReport(String key, String reportId) {
        Violations v = new Violations();
        IdempotentCalls.requireValidKey(key, v);
        requireId(reportId, "report_id", v);
        v.throwIfAny();
    }

    private static void requireId(String value, String field, Violations v) {
        v.requireText(value, MAX_ID_LENGTH, field);
    }
}
