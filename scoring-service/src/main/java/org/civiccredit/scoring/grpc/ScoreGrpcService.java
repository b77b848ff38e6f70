package org.civiccredit.scoring.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownRequest;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownResponse;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.scoring.domain.EventStatus;
import org.civiccredit.scoring.domain.ScoreEvent;
import org.civiccredit.scoring.service.Participants;
import org.civiccredit.scoring.service.Scores;

/**
 * gRPC adapter of ScoreService: a participant reads their own score and the entries behind it (the token
 * subject decides whose); the service role reads a named participant's score. StreamScore is not built yet
 * (it comes with the live scores in Redis) and answers UNIMPLEMENTED, after the token has been verified.
 */
@GrpcService
@Authenticated
public class ScoreGrpcService extends ScoreServiceGrpc.ScoreServiceImplBase {

    private static final String BREAKDOWN_LIST = "score-breakdown";

    @Inject
    Participants participants;

    @Inject
    Scores scores;

    @Inject
    Caller caller;

    @Override
    @Blocking
    @RolesAllowed({"participant", "service"})
    public void getScore(GetScoreRequest request, StreamObserver<Score> response) {
        Instant now = Instant.now();
        org.civiccredit.scoring.domain.Score score;
        if (caller.hasRole("service")) {
            if (request.getParticipantId().isEmpty()) {
                throw Refusal.invalid("participant_id", "required for service callers");
            }
            score = scores.score(request.getParticipantId(), now)
                    .orElseThrow(() -> Refusal.notFound("no participant " + request.getParticipantId()));
        } else {
            if (!request.getParticipantId().isEmpty()) {
                throw Refusal.invalid("participant_id",
                        "must be empty: a participant reads their own score, known from the token");
            }
            score = scores.score(ownParticipantId(), now).orElseThrow(ScoreGrpcService::notEnrolled);
        }
        response.onNext(ScoreMapping.toProto(score));
        response.onCompleted();
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
        // A page token only continues the list with the same filter.
        String list = BREAKDOWN_LIST + ":" + statuses.stream().map(Enum::name).collect(Collectors.joining(","));
        Page page = null;
        Scores.Cursor after = null;
        try {
            page = Page.of(request.getPage().getPageSize(), request.getPage().getPageToken(), list);
            after = page.first() ? null : cursor(page.cursor());
        } catch (Refusal invalid) {
            invalid.violations().forEach(fv -> v.add(fv.field(), fv.description()));
        }
        v.throwIfAny();

        Instant now = Instant.now();
        String participantId = ownParticipantId();
        org.civiccredit.scoring.domain.Score score = scores.score(participantId, now)
                .orElseThrow(ScoreGrpcService::notEnrolled);
        List<ScoreEvent> entries = scores.entries(participantId, statuses, now, after, page.size() + 1);
        GetScoreBreakdownResponse.Builder b = GetScoreBreakdownResponse.newBuilder()
                .setScore(ScoreMapping.toProto(score));
        entries.stream().limit(page.size()).forEach(e -> b.addEntries(ScoreMapping.toProto(e, now)));
        if (entries.size() > page.size()) {
            ScoreEvent last = entries.get(page.size() - 1);
            b.setNextPageToken(Page.token(list,
                    ChronoUnit.MICROS.between(Instant.EPOCH, last.occurredAt()) + "_" + last.eventId()));
        }
        response.onNext(b.build());
        response.onCompleted();
    }

    private String ownParticipantId() {
        return participants.participantWithSubject(caller.subject()).orElseThrow(ScoreGrpcService::notEnrolled);
    }

    private static Refusal notEnrolled() {
        return Refusal.failedPrecondition("PARTICIPANT_NOT_ENROLLED",
                "the caller is not (or not yet) an enrolled participant; retry shortly after enrolling");
    }

    private static Scores.Cursor cursor(String token) {
        try {
            int split = token.indexOf('_');
            return new Scores.Cursor(Instant.EPOCH.plus(Long.parseLong(token.substring(0, split)), ChronoUnit.MICROS),
                    UUID.fromString(token.substring(split + 1)));
        } catch (RuntimeException e) {
            throw Refusal.invalid("page.page_token", "not a token issued by this list");
        }
    }
}
