package org.civiccredit.scoring.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.civiccredit.kit.persistence.NativeReads;
import org.civiccredit.scoring.cache.CurrentTiers;
import org.civiccredit.scoring.domain.EventStatus;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.ParticipantExport;
import org.civiccredit.scoring.domain.Score;
import org.civiccredit.scoring.domain.ScoreEvent;
import org.civiccredit.scoring.domain.Tiers;
import org.civiccredit.scoring.persistence.ParticipantEntity;
import org.civiccredit.scoring.persistence.RuleEntity;
import org.civiccredit.scoring.persistence.ScoreEventEntity;

/**
 * Reads scores, and the entries behind them, from PostgreSQL (the truth), and keeps each participant's stored
 * score sum ({@code participant.score_sum}) in step with their events. A score is read from the participant's
 * row alone while the stored sum holds (no window has ended since it was kept); otherwise, and for a row whose
 * sum is unknown, the events are summed. Scores are placed in the tiers this instance knows to be current
 * ({@link CurrentTiers}, without a query): a table published on another instance is known here once its
 * announcement arrives on the score channel (normally milliseconds after its commit) or, if that message
 * was lost, within the ten-second check of {@code ScoreFanOut}. During that window a score computed here
 * carries the previous table's version, and every reader that knows the newer table places it in the newer
 * tiers ({@code LiveScores}), as for any cached score.
 */
@ApplicationScoped
public class Scores {

    /**
     * The score formula of scoring.proto over the events that may still count (as
     * {@link ScoreEvent#contributionAt}: counting deltas, frozen deltas only when positive), with the earliest
     * end of a contributing event's window, in one index-only query: O(events), so only for a sum that is not
     * known or no longer holds.
     */
    private static final String SUM_OF_EVENTS = """
            SELECT COALESCE(SUM(CASE WHEN status = 'COUNTING' THEN delta WHEN delta > 0 THEN delta ELSE 0 END), 0),
                   MIN(counts_until) FILTER (WHERE status = 'COUNTING' OR delta > 0)
            FROM score_event
            WHERE participant_id = ?1 AND status IN ('COUNTING', 'FROZEN') AND counts_until > ?2""";

    @Inject
    EntityManager em;

    @Inject
    CurrentTiers currentTiers;

    @Inject
    RuleTables ruleTables;

    /** Position in a participant's entries, newest occurred_at first: entries after it come next. */
    public record Cursor(Instant occurredAt, UUID eventId) {
    }

    /** The score of a registered, not erased participant at {@code now}. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<Score> score(String participantId, Instant now) {
        return live(participantId, now).map(LiveScore::score);
    }

    /**
     * The score of a registered, not erased participant at {@code now}, with the rule table version of its
     * tiers and the moment it stops holding: what the live cache stores.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<LiveScore> live(String participantId, Instant now) {
        ParticipantEntity participant = ParticipantEntity.findById(participantId);
        if (participant == null || participant.erased()) {
            return Optional.empty();
        }
        return Optional.of(liveOf(participant, currentTiers.get(), now));
    }

    /**
     * The live scores at {@code now} of up to {@code limit} registered, not erased participants whose ids
     * follow {@code afterParticipantId} ("" for the first), in id order: one primary-key range read, and an
     * event sum only for a participant whose stored sum no longer holds (the expiry sweep is about to store it).
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<LiveScore> liveAfter(String afterParticipantId, int limit, Instant now) {
        List<ParticipantEntity> participants = em.createQuery("""
                FROM ParticipantEntity p WHERE p.participantId > :after AND p.erasedAt IS NULL
                ORDER BY p.participantId""", ParticipantEntity.class)
                .setParameter("after", afterParticipantId).setMaxResults(limit)
                .setHint(org.hibernate.jpa.HibernateHints.HINT_READ_ONLY, true).getResultList();
        Tiers tiers = currentTiers.get();
        List<LiveScore> live = new ArrayList<>(participants.size());
        for (ParticipantEntity participant : participants) {
            live.add(liveOf(participant, tiers, now));
        }
        return live;
    }

    /** How many participants are registered and not erased: how many live scores the cache holds when complete. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long registeredCount() {
        return em.createQuery("SELECT count(p) FROM ParticipantEntity p WHERE p.erasedAt IS NULL", Long.class)
                .getSingleResult();
    }

    /**
     * One page of a participant's entries, newest occurred_at first.
     *
     * @param statuses the statuses (as seen at {@code now}) to include; empty for all
     * @param after    the last entry of the previous page, or null for the first page
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ScoreEvent> entries(String participantId, Set<EventStatus> statuses, Instant now, Cursor after,
            int limit) {
        StringBuilder jpql = new StringBuilder("FROM ScoreEventEntity e WHERE e.participantId = :participant");
        if (!statuses.isEmpty()) {
            List<String> any = new ArrayList<>();
            for (EventStatus status : statuses) {
                any.add(switch (status) {
                    case COUNTING -> "(e.status = :counting AND e.countsUntil > :now)";
                    case EXPIRED -> "(e.status = :counting AND e.countsUntil <= :now)";
                    case FROZEN -> "e.status = :frozen";
                    case REVERSED -> "e.status = :reversed";
                });
            }
            jpql.append(" AND (").append(String.join(" OR ", any)).append(')');
        }
        if (after != null) {
            jpql.append(" AND (e.occurredAt < :afterTime OR (e.occurredAt = :afterTime AND e.eventId < :afterId))");
        }
        jpql.append(" ORDER BY e.occurredAt DESC, e.eventId DESC");
        TypedQuery<ScoreEventEntity> query = em.createQuery(jpql.toString(), ScoreEventEntity.class)
                .setParameter("participant", participantId);
        if (statuses.contains(EventStatus.COUNTING) || statuses.contains(EventStatus.EXPIRED)) {
            query.setParameter("counting", EventStatus.COUNTING).setParameter("now", now);
        }
        if (statuses.contains(EventStatus.FROZEN)) {
            query.setParameter("frozen", EventStatus.FROZEN);
        }
        if (statuses.contains(EventStatus.REVERSED)) {
            query.setParameter("reversed", EventStatus.REVERSED);
        }
        if (after != null) {
            query.setParameter("afterTime", after.occurredAt()).setParameter("afterId", after.eventId());
        }
        return query.setMaxResults(limit).getResultList().stream().map(ScoreEventEntity::toDomain).toList();
    }

    /** Everything held about a registered, not erased participant (GDPR Art. 15), events oldest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<ParticipantExport> export(String participantId, Instant now) {
        ParticipantEntity participant = ParticipantEntity.findById(participantId);
        if (participant == null || participant.erased()) {
            return Optional.empty();
        }
        List<ScoreEvent> events = ScoreEventEntity.<ScoreEventEntity>list(
                "participantId = ?1 order by occurredAt, eventId", participantId).stream()
                .map(ScoreEventEntity::toDomain).toList();
        Map<RuleEntity.Key, ParticipantExport.AppliedRule> rules = new LinkedHashMap<>();
        for (ScoreEvent event : events) {
            rules.computeIfAbsent(new RuleEntity.Key(event.ruleTableVersion(), event.ruleCode()),
                    key -> new ParticipantExport.AppliedRule(key.version(), ruleTables.rule(key.version(), key.code())
                            .orElseThrow(() -> new IllegalStateException("score event " + event.eventId()
                                    + " names rule " + key.code() + " of version " + key.version()
                                    + ", which is not stored"))));
        }
        Score score = liveOf(participant, currentTiers.get(), now).score();
        return Optional.of(new ParticipantExport(score, events, List.copyOf(rules.values()),
                participant.keycloakSubject == null ? "" : participant.keycloakSubject, participant.registeredAt));
    }

    /**
     * A participant's live score at {@code now}: from the stored sum while it holds (one row, no per-event
     * work), otherwise summed from the events without storing it (readers never write; the expiry sweep or the
     * participant's next change stores it). Changes of the current transaction must be flushed first.
     */
    LiveScore liveOf(ParticipantEntity participant, Tiers tiers, Instant now) {
        if (participant.scoreSumHoldsAt(now)) {
            return liveScore(participant, participant.scoreSum, participant.scoreValidUntil, tiers, now);
        }
        Sum sum = sumOfEvents(participant.participantId, now);
        return liveScore(participant, sum.sum(), sum.validUntil(), tiers, now);
    }

    /**
     * Sums a participant's events again and stores the sum and its validity in their row; for a writer that
     * holds the participant's row lock, when the stored sum is unknown or a window has ended since it was kept.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    LiveScore resum(ParticipantEntity participant, Tiers tiers, Instant now) {
        em.flush();
        Sum sum = sumOfEvents(participant.participantId, now);
        participant.scoreSum = sum.sum();
        participant.scoreValidUntil = sum.validUntil();
        return liveScore(participant, sum.sum(), sum.validUntil(), tiers, now);
    }

    /**
     * Keeps the stored sum in step with one change of one event, in the transaction of the change and under the
     * participant's row lock, and returns the new live score. While the stored sum holds, the change adds the
     * difference of the event's contribution ({@code after} minus {@code before}): an applied event adds its
     * delta, freezing a deduction removes it and unfreezing adds it back, a reversal removes what the event
     * contributed; the validity moves to the event's window end if that is earlier, and only when the event
     * that ended the validity stops contributing is the next window end looked up (an index range scan that
     * stops at the first contributing event). A sum that is unknown or no longer holds is summed again.
     *
     * @param before the event as it was, or null for a newly applied one
     * @param after  the event as it is now (its change not necessarily flushed)
     */
    @Transactional(Transactional.TxType.MANDATORY)
    LiveScore changed(ParticipantEntity participant, ScoreEvent before, ScoreEvent after, Tiers tiers, Instant now) {
        if (!participant.scoreSumHoldsAt(now)) {
            return resum(participant, tiers, now);
        }
        participant.scoreSum += after.contributionAt(now) - (before == null ? 0 : before.contributionAt(now));
        Instant validUntil = participant.scoreValidUntil;
        if (after.contributesAt(now)) {
            if (validUntil == null || after.countsUntil().isBefore(validUntil)) {
                participant.scoreValidUntil = after.countsUntil();
            }
        } else if (before != null && before.contributesAt(now) && validUntil != null
                && !before.countsUntil().isAfter(validUntil)) {
            // It contributed, so its window ends at or after the validity: exactly at it, so look for the next.
            em.flush();
            participant.scoreValidUntil = NativeReads.instant(em.createNativeQuery("""
                    SELECT MIN(counts_until) FROM score_event
                    WHERE participant_id = ?1 AND status IN ('COUNTING', 'FROZEN') AND counts_until > ?2
                      AND (status = 'COUNTING' OR delta > 0)""")
                    .setParameter(1, participant.participantId).setParameter(2, now).getSingleResult());
        }
        return liveScore(participant, participant.scoreSum, participant.scoreValidUntil, tiers, now);
    }

    private record Sum(long sum, Instant validUntil) {
    }

    /** {@link #SUM_OF_EVENTS} at {@code now}. Changes of the current transaction must be flushed first. */
    private Sum sumOfEvents(String participantId, Instant now) {
        Object[] row = (Object[]) em.createNativeQuery(SUM_OF_EVENTS)
                .setParameter(1, participantId).setParameter(2, now).getSingleResult();
        return new Sum(((Number) row[0]).longValue(), NativeReads.instant(row[1]));
    }

    private static LiveScore liveScore(ParticipantEntity participant, long sum, Instant validUntil, Tiers tiers,
            Instant now) {
        Score score = tiers.scoreOf(participant.participantId, sum, participant.scoreVersion, now);
        return new LiveScore(score, tiers.ruleTableVersion(), validUntil);
    }
}
