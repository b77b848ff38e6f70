package org.civiccredit.scoring.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.paging.Page;
import org.civiccredit.scoring.cache.LiveScores;
import org.civiccredit.scoring.domain.EventStatus;
import org.civiccredit.scoring.domain.Score;
import org.civiccredit.scoring.domain.ScoreEvent;

/**
 * What a participant reads about their own score, the same through gRPC (ScoreService) and HTTP
 * ({@code /api/v1/me/score}): the token subject decides whose score it is, and a caller who is not (or not yet)
 * a registered participant is refused with PARTICIPANT_NOT_ENROLLED.
 */
@ApplicationScoped
public class OwnScores {

    private static final String BREAKDOWN_LIST = "score-breakdown";

    /** How the calling API names the paging fields in its field violations. */
    public record PagingFields(String size, String token) {

        /** The fields of GetScoreBreakdownRequest. */
        public static final PagingFields GRPC = new PagingFields("page.page_size", "page.page_token");
    }

    /** One page of a participant's entries, with their current score. */
    public record Breakdown(Score score, List<ScoreEvent> entries, String nextPageToken) {
    }

    @Inject
    Participants participants;

    @Inject
    Scores scores;

    @Inject
    LiveScores liveScores;

    /** The participant whose token carries {@code subject}. */
    public String participantId(String subject) {
        return participants.participantWithSubject(subject).orElseThrow(OwnScores::notEnrolled);
    }

    /** The caller's live score (from the cache; PostgreSQL on a miss). */
    public Score score(String subject, Instant now) {
        return liveScores.score(participantId(subject), now).orElseThrow(OwnScores::notEnrolled);
    }

    /**
     * One page of the caller's entries, newest occurred_at first, with their score as PostgreSQL has it (the
     * entries' source). Paging problems are added to {@code violations}, which may already hold the caller's
     * filter problems; all are refused together before anything is read.
     *
     * @param statuses the statuses (as seen at {@code now}) to include; empty for all
     */
    public Breakdown breakdown(String subject, Set<EventStatus> statuses, int pageSize, String pageToken,
            PagingFields fields, Violations violations, Instant now) {
        // A page token only continues the list with the same filter.
        String list = BREAKDOWN_LIST + ":" + statuses.stream().sorted().map(Enum::name)
                .collect(Collectors.joining(","));
        Page page = null;
        Scores.Cursor after = null;
        try {
            page = Page.of(pageSize, pageToken, list);
            after = page.first() ? null : cursor(page.cursor());
        } catch (Refusal invalid) {
            invalid.violations().forEach(v -> violations.add(v.field().equals("page.page_size") ? fields.size()
                    : fields.token(), v.description()));
        }
        violations.throwIfAny();

        String participantId = participantId(subject);
        Score score = scores.score(participantId, now).orElseThrow(OwnScores::notEnrolled);
        List<ScoreEvent> entries = scores.entries(participantId, statuses, now, after, page.size() + 1);
        String next = "";
        if (entries.size() > page.size()) {
            ScoreEvent last = entries.get(page.size() - 1);
            next = Page.token(list, ChronoUnit.MICROS.between(Instant.EPOCH, last.occurredAt()) + "_"
                    + last.eventId());
        }
        return new Breakdown(score, entries.stream().limit(page.size()).toList(), next);
    }

    /** The refusal of a caller who is no registered participant here. */
    public static Refusal notEnrolled() {
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
