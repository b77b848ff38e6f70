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
import org.civiccredit.scoring.domain.EventStatus;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.ParticipantExport;
import org.civiccredit.scoring.domain.Score;
import org.civiccredit.scoring.domain.ScoreEvent;
import org.civiccredit.scoring.domain.Tiers;
import org.civiccredit.scoring.persistence.ParticipantEntity;
import org.civiccredit.scoring.persistence.RuleEntity;
import org.civiccredit.scoring.persistence.ScoreEventEntity;

/** Reads scores, and the entries behind them, from the score events in PostgreSQL (the truth). */
@ApplicationScoped
public class Scores {

    @Inject
    EntityManager em;

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
        return Optional.of(liveOf(participant, ruleTables.currentTiers(), now));
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
                    key -> new ParticipantExport.AppliedRule(key.version(),
                            RuleTables.toDefinition(RuleEntity.findById(key))));
        }
        Score score = liveOf(participant, ruleTables.currentTiers(), now).score();
        return Optional.of(new ParticipantExport(score, events, List.copyOf(rules.values()),
                participant.keycloakSubject == null ? "" : participant.keycloakSubject, participant.registeredAt));
    }

    /**
     * The score formula of scoring.proto, summed in the database over the events that may still count
     * (as {@link ScoreEvent#contributionAt}: counting deltas, frozen deltas only when positive), floored at 0,
     * together with the earliest end of a contributing event's window, in one index-only query. Changes of
     * the current transaction must be flushed first.
     */
    LiveScore liveOf(ParticipantEntity participant, Tiers tiers, Instant now) {
        Object[] row = (Object[]) em.createNativeQuery("""
                SELECT COALESCE(SUM(CASE WHEN status = 'COUNTING' THEN delta WHEN delta > 0 THEN delta ELSE 0 END), 0),
                       MIN(counts_until) FILTER (WHERE status = 'COUNTING' OR delta > 0)
                FROM score_event
                WHERE participant_id = ?1 AND status IN ('COUNTING', 'FROZEN') AND counts_until > ?2""")
                .setParameter(1, participant.participantId).setParameter(2, now).getSingleResult();
        Score score = tiers.scoreOf(participant.participantId, ((Number) row[0]).longValue(),
                participant.scoreVersion, now);
        return new LiveScore(score, tiers.ruleTableVersion(), toInstant(row[1]));
    }

    /** A timestamptz of a native query, whichever Java type the driver and Hibernate chose for it. */
    static Instant toInstant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        return ((java.sql.Timestamp) value).toInstant();
    }
}
