package org.civiccredit.scoring.grpc;

import com.google.protobuf.Message;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.civiccredit.api.common.v1.ItemRefusal;
import org.civiccredit.api.scoring.v1.ApplyReportBatchRequest;
import org.civiccredit.api.scoring.v1.ApplyReportBatchResponse;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.ApplyReportResult;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.EraseParticipantResponse;
import org.civiccredit.api.scoring.v1.ExportParticipantDataRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantResponse;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoringDataExport;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc;
import org.civiccredit.api.scoring.v1.UnfreezeEventRequest;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ItemBatches;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.scoring.domain.AcceptedReport;
import org.civiccredit.kit.audit.AuditedCalls;
import org.civiccredit.kit.audit.Outcome;
import org.civiccredit.scoring.domain.ReversalCause;
import org.civiccredit.scoring.service.Participants;
import org.civiccredit.scoring.service.ScoreEvents;
import org.civiccredit.scoring.service.Scores;

/**
 * gRPC adapter of ScoringInternalService: reports-service's outbox registers and erases participants and
 * applies, freezes, unfreezes and reverses score events. Every call is idempotent on its natural id
 * (participant_id or report_id), whatever its idempotency key, and a call that changes something is audited in
 * its transaction ({@link AuditedCalls}).
 */
@GrpcService
@Authenticated
public class ScoringInternalGrpcService extends ScoringInternalServiceGrpc.ScoringInternalServiceImplBase {

    private static final int MAX_SUBJECT_LENGTH = 255;
    private static final int MAX_EVIDENCE_REF_LENGTH = 2048;
    private static final int MAX_REASON_LENGTH = 2000;

    @Inject
    Participants participants;

    @Inject
    ScoreEvents scoreEvents;

    @Inject
    Scores scores;

    @Inject
    AuditedCalls audited;

    @Inject
    ItemBatches batches;

    @Override
    @Blocking
    @RolesAllowed("service")
    public void registerParticipant(RegisterParticipantRequest request,
            StreamObserver<RegisterParticipantResponse> response) {
        Violations v = new Violations();
        IdempotentCalls.requireValidKey(request.getIdempotencyKey(), v);
        ScoreMapping.requireId(request.getParticipantId(), "participant_id", v);
        v.require(!request.getKeycloakSubject().isBlank()
                && request.getKeycloakSubject().length() <= MAX_SUBJECT_LENGTH, "keycloak_subject",
                "required, 1 to " + MAX_SUBJECT_LENGTH + " characters");
        Instant enrolledAt = request.hasEnrolledAt()
                ? ScoreMapping.instant(true, request.getEnrolledAt(), "enrolled_at", v)
                : null;
        v.throwIfAny();
        response.onNext(audited.run("RegisterParticipant", request,
                () -> participants.register(request.getParticipantId(), request.getKeycloakSubject(), enrolledAt),
                registration -> RegisterParticipantResponse.newBuilder()
                        .setParticipantId(registration.participantId())
                        .setScoreVersion(registration.scoreVersion())
                        .build()));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void applyReport(ApplyReportRequest request, StreamObserver<ScoreEvent> response) {
        response.onNext(applied(request));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void applyReportBatch(ApplyReportBatchRequest request,
            StreamObserver<ApplyReportBatchResponse> response) {
        ItemBatches.requireBatch(request.getIdempotencyKey(), request.getReportsCount(), "reports");
        ApplyReportBatchResponse.Builder answer = ApplyReportBatchResponse.newBuilder();
        List<ItemBatches.Item<ScoreEvent>> items = batches.apply(request.getReportsList(), this::loadFor, this::applied);
        for (ItemBatches.Item<ScoreEvent> item : items) {
            answer.addResults(item.refused()
                    ? ApplyReportResult.newBuilder().setRefusal(ItemBatches.refusal(item.refusal(), ItemRefusal.newBuilder()))
                    : ApplyReportResult.newBuilder().setEvent(item.answer()));
        }
        response.onNext(answer.build());
        response.onCompleted();
    }

    /** Reads up front what a batch's reports need ({@link ScoreEvents#loadFor}); malformed ones are left out. */
    private void loadFor(List<ApplyReportRequest> requests) {
        List<AcceptedReport> reports = new ArrayList<>(requests.size());
        for (ApplyReportRequest r : requests) {
            Instant occurredAt = ScoreMapping.instant(r.hasOccurredAt(), r.getOccurredAt(), "occurred_at",
                    new Violations());
            if (occurredAt != null && !r.getReportId().isBlank() && !r.getParticipantId().isBlank()) {
                reports.add(new AcceptedReport(r.getReportId(), r.getParticipantId(), r.getAgencyId(),
                        r.getRuleCode(), r.getRuleTableVersion(), r.getQuantity(), occurredAt, r.getEvidenceRef()));
            }
        }
        scoreEvents.loadFor(reports);
    }

    /** ApplyReport of one report: checked, applied and audited in the caller's transaction or one of its own. */
    private ScoreEvent applied(ApplyReportRequest request) {
        Violations v = new Violations();
        IdempotentCalls.requireValidKey(request.getIdempotencyKey(), v);
        ScoreMapping.requireId(request.getReportId(), "report_id", v);
        ScoreMapping.requireId(request.getParticipantId(), "participant_id", v);
        ScoreMapping.requireId(request.getAgencyId(), "agency_id", v);
        v.requireText(request.getRuleCode(), 64, "rule_code");
        v.require(request.getRuleTableVersion() >= 1, "rule_table_version",
                "required: a published version (1 or more)");
        v.require(request.getQuantity() >= 0, "quantity", "must be 0 or more");
        Instant occurredAt = ScoreMapping.instant(request.hasOccurredAt(), request.getOccurredAt(), "occurred_at", v);
        v.require(!request.getEvidenceRef().isBlank()
                && request.getEvidenceRef().length() <= MAX_EVIDENCE_REF_LENGTH, "evidence_ref",
                "required, 1 to " + MAX_EVIDENCE_REF_LENGTH + " characters");
        v.throwIfAny();
        AcceptedReport report = new AcceptedReport(request.getReportId(), request.getParticipantId(),
                request.getAgencyId(), request.getRuleCode(), request.getRuleTableVersion(), request.getQuantity(),
                occurredAt, request.getEvidenceRef());
        return audited.run("ApplyReport", request, () -> scoreEvents.apply(report),
                event -> ScoreMapping.toProto(event, Instant.now()));
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void freezeEvent(FreezeEventRequest request, StreamObserver<ScoreEvent> response) {
        requireKeyAndReport(request.getIdempotencyKey(), request.getReportId());
        respond(response, "FreezeEvent", request, () -> scoreEvents.freeze(request.getReportId()));
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void unfreezeEvent(UnfreezeEventRequest request, StreamObserver<ScoreEvent> response) {
        requireKeyAndReport(request.getIdempotencyKey(), request.getReportId());
        respond(response, "UnfreezeEvent", request, () -> scoreEvents.unfreeze(request.getReportId()));
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void reverseEvent(ReverseEventRequest request, StreamObserver<ScoreEvent> response) {
        Violations v = new Violations();
        IdempotentCalls.requireValidKey(request.getIdempotencyKey(), v);
        ScoreMapping.requireId(request.getReportId(), "report_id", v);
        v.require(!request.getReason().isEmpty() && request.getReason().length() <= MAX_REASON_LENGTH, "reason",
                "required, 1 to " + MAX_REASON_LENGTH + " characters");
        ReversalCause cause = ScoreMapping.cause(request.getCause(), v);
        v.throwIfAny();
        respond(response, "ReverseEvent", request,
                () -> scoreEvents.reverse(request.getReportId(), cause, request.getReason()));
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void eraseParticipant(EraseParticipantRequest request, StreamObserver<EraseParticipantResponse> response) {
        Violations v = new Violations();
        IdempotentCalls.requireValidKey(request.getIdempotencyKey(), v);
        ScoreMapping.requireId(request.getParticipantId(), "participant_id", v);
        v.throwIfAny();
        response.onNext(audited.run("EraseParticipant", request, () -> participants.erase(request.getParticipantId()),
                anonymised -> EraseParticipantResponse.newBuilder().setEventsAnonymised(anonymised).build()));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("service")
    public void exportParticipantData(ExportParticipantDataRequest request,
            StreamObserver<ScoringDataExport> response) {
        Violations v = new Violations();
        ScoreMapping.requireId(request.getParticipantId(), "participant_id", v);
        v.throwIfAny();
        Instant now = Instant.now();
        ScoringDataExport export = scores.export(request.getParticipantId(), now)
                .map(e -> ScoreMapping.toProto(e, now))
                .orElseThrow(() -> Refusal.notFound("no participant " + request.getParticipantId()));
        response.onNext(export);
        response.onCompleted();
    }

    private static void requireKeyAndReport(String key, String reportId) {
        Violations v = new Violations();
        IdempotentCalls.requireValidKey(key, v);
        ScoreMapping.requireId(reportId, "report_id", v);
        v.throwIfAny();
    }

    private void respond(StreamObserver<ScoreEvent> response, String call, Message request,
            Supplier<Outcome<org.civiccredit.scoring.domain.ScoreEvent>> change) {
        response.onNext(audited.run(call, request, change, event -> ScoreMapping.toProto(event, Instant.now())));
        response.onCompleted();
    }
}
