package org.civiccredit.scoring.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownRequest;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownResponse;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoreUpdate;
import org.civiccredit.api.scoring.v1.StreamScoreRequest;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.GrpcErrorMapping;
import org.civiccredit.kit.grpc.WorkerCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.scoring.cache.LiveScores;
import org.civiccredit.scoring.cache.ScoreFanOut;
import org.civiccredit.scoring.domain.EventStatus;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.domain.ScoreChangeCause;
import org.civiccredit.scoring.service.OwnScores;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * gRPC adapter of ScoreService: a participant reads and follows their own score and reads the entries behind
 * it (the token subject decides whose); the service role reads a named participant's score. Scores come from
 * the live cache (PostgreSQL on a miss); the breakdown reads PostgreSQL, where its entries are.
 */
@GrpcService
@Authenticated
public class ScoreGrpcService extends ScoreServiceGrpc.ScoreServiceImplBase {

    @Inject
    OwnScores ownScores;

    @Inject
    LiveScores liveScores;

    @Inject
    ScoreFanOut fanOut;

    @Inject
    Caller caller;

    @Inject
    JsonWebToken jwt;

    @Inject
    GrpcErrorMapping errors;

    @Inject
    WorkerCalls workers;

    @Inject
    Vertx vertx;

    /**
     * Not blocking: a service caller's read that the live cache answers is served on the event loop, and only
     * a miss continues on a worker thread (LiveScores#liveAsync); a participant's read looks up the token
     * subject in PostgreSQL, so it runs on a worker thread.
     */
    @Override
    @RolesAllowed({"participant", "service"})
    public void getScore(GetScoreRequest request, StreamObserver<Score> response) {
        Instant now = Instant.now();
        Uni<org.civiccredit.scoring.domain.Score> score;
        if (caller.hasRole("service")) {
            String participantId = request.getParticipantId();
            if (participantId.isEmpty()) {
                throw Refusal.invalid("participant_id", "required for service callers");
            }
            score = liveScores.liveAsync(participantId, now).map(live -> live.map(LiveScore::score)
                    .orElseThrow(() -> Refusal.notFound("no participant " + participantId)));
        } else {
            if (!request.getParticipantId().isEmpty()) {
                throw Refusal.invalid("participant_id",
                        "must be empty: a participant reads their own score, known from the token");
            }
            String subject = caller.subject();
            score = liveScores.onWorker(() -> ownScores.score(subject, now));
        }
        workers.reply(response, score.map(ScoreMapping::toProto));
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void getScoreBreakdown(GetScoreBreakdownRequest request,
            StreamObserver<GetScoreBreakdownResponse> response) {
        Violations v = new Violations();
        Set<EventStatus> statuses = EnumSet.noneOf(EventStatus.class);
        for (int i = 0; i < request.getStatusesCount(); i++) {
            EventStatus status = ScoreMapping.status(request.getStatuses(i), "statuses[" + i + "]", v);
            if (status != null) {
                statuses.add(status);
            }
        }
        Instant now = Instant.now();
        OwnScores.Breakdown breakdown = ownScores.breakdown(caller.subject(), statuses,
                request.getPage().getPageSize(), request.getPage().getPageToken(), OwnScores.PagingFields.GRPC, v,
                now);
        response.onNext(ScoreMapping.toProto(breakdown, now));
        response.onCompleted();
    }

    /**
     * Streams the caller's score. The listener is registered before the current score is read, so no change
     * falls between the two; the stream drops what the client already has by version. The worker thread only
     * serves this start: updates are pushed from the fan-out without holding a thread.
     */
    @Override
    @Blocking
    @RolesAllowed("participant")
    public void streamScore(StreamScoreRequest request, StreamObserver<ScoreUpdate> response) {
        if (request.getResumeAfterVersion() < 0) {
            throw Refusal.invalid("resume_after_version", "must be 0 or more");
        }
        String participantId = ownScores.participantId(caller.subject());
        ServerCallStreamObserver<ScoreUpdate> call = (ServerCallStreamObserver<ScoreUpdate>) response;
        ScoreStream stream = new ScoreStream(call, request.getResumeAfterVersion(), liveScores::placed,
                () -> errors.toStatusRuntimeException(OwnScores.notEnrolled()));
        call.setOnCancelHandler(stream::cancelled);
        call.setOnReadyHandler(stream::ready);
        Runnable unlisten = fanOut.listen(participantId, stream);
        long untilExpiry = Math.max(1, jwt.getExpirationTime() * 1000 - System.currentTimeMillis());
        long expiryTimer = vertx.setTimer(untilExpiry, timer -> stream.tokenExpired());
        stream.onEnd(() -> {
            unlisten.run();
            vertx.cancelTimer(expiryTimer);
        });
        Optional<LiveScore> current;
        try {
            current = liveScores.live(participantId, Instant.now());
        } catch (RuntimeException e) {
            stream.cancelled(); // unregisters; the error mapping answers the call
            throw e;
        }
        stream.changed(current
                .map(s -> new ScoreChange(participantId, s, s.version(), ScoreChangeCause.CURRENT, "", ""))
                .orElseGet(() -> ScoreChange.erased(participantId, Long.MAX_VALUE)));
    }
}
