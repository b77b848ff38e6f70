package org.civiccredit.reports.relay;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.api.scoring.v1.ApplyReportBatchRequest;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.FreezeEventRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantRequest;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc.ScoringInternalServiceBlockingStub;
import org.civiccredit.api.scoring.v1.UnfreezeEventRequest;
import org.civiccredit.kit.audit.AuditLog;
import org.civiccredit.kit.grpc.ItemBatches;
import org.civiccredit.kit.outbox.OutboxDelivery;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;

/**
 * Delivers reports-service's outbox rows to scoring-service and rewards-service, with its service token. What a
 * delivery settles in this service (a report becomes SCORED) is appended to the audit log as the relay's
 * transaction commits (it goes on calling other services before that, and must not hold the append lock
 * meanwhile). The relay's own bookkeeping on the outbox row (attempts, delivered_at, outcome) is not audited:
 * the row itself records it, and the change the row announces was audited when the row was written.
 */
@ApplicationScoped
public class ReportsOutboxDelivery implements OutboxDelivery {

    @Inject
    @GrpcClient("scoring")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    ScoringInternalServiceBlockingStub scoring;

    @Inject
    @GrpcClient("rewards")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    RewardsInternalServiceBlockingStub rewards;

    @Inject
    EntityManager em;

    @Inject
    AuditLog audit;

    @Override
    public void deliver(String kind, byte[] payload) {
        ScoringInternalServiceBlockingStub scoring = this.scoring.withDeadlineAfter(5, TimeUnit.SECONDS);
        RewardsInternalServiceBlockingStub rewards = this.rewards.withDeadlineAfter(5, TimeUnit.SECONDS);
        try {
            switch (OutboxKind.valueOf(kind)) {
                case SCORING_REGISTER_PARTICIPANT -> scoring.registerParticipant(
                        RegisterParticipantRequest.parseFrom(payload));
                case SCORING_APPLY_REPORT -> scoring.applyReport(ApplyReportRequest.parseFrom(payload));
                case SCORING_REVERSE_EVENT -> scoring.reverseEvent(ReverseEventRequest.parseFrom(payload));
                case SCORING_FREEZE_EVENT -> scoring.freezeEvent(FreezeEventRequest.parseFrom(payload));
                case SCORING_UNFREEZE_EVENT -> scoring.unfreezeEvent(UnfreezeEventRequest.parseFrom(payload));
                case SCORING_ERASE_PARTICIPANT -> scoring.eraseParticipant(EraseParticipantRequest.parseFrom(payload));
                case REWARDS_REGISTER_PARTICIPANT -> rewards.registerParticipant(
                        org.civiccredit.api.rewards.v1.RegisterParticipantRequest.parseFrom(payload));
                case REWARDS_ERASE_PARTICIPANT -> rewards.eraseParticipant(
                        org.civiccredit.api.rewards.v1.EraseParticipantRequest.parseFrom(payload));
            }
        } catch (InvalidProtocolBufferException e) {
            throw Status.INTERNAL.withDescription("unreadable outbox payload").withCause(e).asRuntimeException();
        }
    }

    /** Accepted reports of different participants go to scoring-service many in one ApplyReportBatch call. */
    @Override
    public boolean batches(String kind) {
        return OutboxKind.SCORING_APPLY_REPORT.name().equals(kind);
    }

    @Override
    public List<StatusRuntimeException> deliverBatch(String kind, List<byte[]> payloads) {
        if (!batches(kind)) {
            return OutboxDelivery.super.deliverBatch(kind, payloads);
        }
        List<ApplyReportRequest> reports = ItemBatches.parse(payloads, ApplyReportRequest.parser());
        ApplyReportBatchRequest batch = ApplyReportBatchRequest.newBuilder().addAllReports(reports)
                .setIdempotencyKey(OutboxDelivery.batchKey(reports.get(0).getIdempotencyKey(), reports.size())).build();
        return ItemBatches.outcomes(scoring.withDeadlineAfter(10, TimeUnit.SECONDS).applyReportBatch(batch)
                .getResultsList(), r -> r.hasRefusal() ? r.getRefusal() : null);
    }

    /**
     * A report is scored once scoring-service acknowledged it: the reports of one call are marked in one statement,
     * and each one that changed is audited, once.
     */
    @Override
    public void delivered(String kind, List<UUID> reportIds) {
        if (!OutboxKind.SCORING_APPLY_REPORT.name().equals(kind)) {
            return;
        }
        UUID[] ids = reportIds.stream().filter(Objects::nonNull).toArray(UUID[]::new);
        if (ids.length == 0) {
            return;
        }
        @SuppressWarnings("unchecked")
        List<Object> scored = em.createNativeQuery("UPDATE report SET status = 'SCORED', status_changed_at = now() "
                + "WHERE report_id = ANY(cast(?1 AS uuid[])) AND status = 'ACCEPTED' RETURNING report_id")
                .setParameter(1, ids).getResultList();
        Set<Object> changed = new HashSet<>(scored);
        List<AuditLog.Entry> entries = new ArrayList<>(changed.size());
        for (UUID reportId : ids) {
            if (changed.contains(reportId)) {
                entries.add(new AuditLog.Entry("relay:report-scored", "system", "report_id=" + reportId));
            }
        }
        audit.recordAll(entries);
    }
}
