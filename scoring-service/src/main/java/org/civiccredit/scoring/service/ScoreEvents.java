package org.civiccredit.scoring.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import jakarta.persistence.FlushModeType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.persistence.BatchScope;
import org.civiccredit.kit.persistence.NativeReads;
import org.civiccredit.scoring.cache.CurrentTiers;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.AcceptedReport;
import org.civiccredit.scoring.domain.CapPeriod;
import org.civiccredit.scoring.domain.EventStatus;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.kit.audit.Outcome;
import org.civiccredit.scoring.domain.ReversalCause;
import org.civiccredit.scoring.domain.RuleDefinition;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.domain.ScoreChangeCause;
import org.civiccredit.scoring.domain.ScoreEvaluation;
import org.civiccredit.scoring.domain.ScoreEvent;
import org.civiccredit.scoring.persistence.CapUsageRepository;
import org.civiccredit.scoring.persistence.ParticipantEntity;
import org.civiccredit.scoring.persistence.ScoreEventEntity;
import org.civiccredit.scoring.relay.AwardOutbox;
import org.hibernate.LockMode;

/**
 * Turns accepted reports into score events and carries out what contests decide about them (freeze,
 * unfreeze, reverse), each exactly once per report. Every change locks the participant first, so one
 * participant's events and cap usage change one transaction at a time, on any number of instances. In the
 * same transaction, a change writes what it means for the participant's award to the outbox and computes
 * the new score from the participant's stored score sum and the change's contribution (no per-event work,
 * see {@link Scores#changed}), which is cached and fanned out after the commit.
 */
@ApplicationScoped
public class ScoreEvents {

    @Inject
    ScoringConfig config;

    @Inject
    EntityManager em;

    @Inject
    Participants participants;

    @Inject
    CapUsageRepository capUsage;

    @Inject
    Scores scores;

    @Inject
    RuleTables ruleTables;

    @Inject
    CurrentTiers currentTiers;

    @Inject
    AwardOutbox awards;

    @Inject
    Event<ScoreChange> changes;

    @Inject
    BatchScope batch;

    /** The events a batch looked up by report ({@link #loadFor}), and those it recorded. */
    private static final class Recorded extends BatchScope.Found<ScoreEventEntity> {
    }

    /**
     * Reads up front what applying each of a batch's reports would read one by one ({@link BatchScope}): locks their
     * participants, in id order, in one statement; loads the events already recorded for them in one; and reads
     * the cap counters they will check in one ({@link CapUsageRepository#loadAll}). Applying each report
     * then reads none of it again: the participant is in the session, locked, and the rest is in the batch. A report
     * that {@link #apply} will refuse (an unknown participant or rule) is read as far as it goes and refused there.
     * Outside a batch it does nothing.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void loadFor(List<AcceptedReport> reports) {
        Recorded recorded = batch.value(Recorded.class, Recorded::new);
        if (recorded == null || reports.isEmpty()) {
            return;
        }
        List<String> participantIds = reports.stream().map(AcceptedReport::participantId).distinct().sorted()
                .toList();
        Map<String, ParticipantEntity> locked = new HashMap<>();
        NativeReads.entities(em, ParticipantEntity.class, "p", LockMode.PESSIMISTIC_WRITE, """
                        SELECT p.* FROM participant p WHERE p.participant_id = ANY(cast(?1 AS varchar[]))
                        ORDER BY p.participant_id FOR NO KEY UPDATE""")
                .setParameter(1, participantIds.toArray(String[]::new)).getResultList()
                .forEach(p -> locked.put(p.participantId, p));
        List<String> reportIds = reports.stream().map(AcceptedReport::reportId).distinct().toList();
        Map<String, ScoreEventEntity> events = new HashMap<>();
        NativeReads.entities(em, ScoreEventEntity.class, "e", LockMode.NONE,
                        "SELECT e.* FROM score_event e WHERE e.report_id = ANY(cast(?1 AS varchar[]))")
                .setParameter(1, reportIds.toArray(String[]::new)).setFlushMode(FlushModeType.COMMIT).getResultList()
                .forEach(e -> events.put(e.reportId, e));
        recorded.lookedUp(reportIds, events);
        ZoneId zone = config.timeZone();
        List<CapUsageRepository.Key> counters = new ArrayList<>();
        for (AcceptedReport report : reports) {
            ParticipantEntity participant = locked.get(report.participantId());
            Optional<RuleDefinition> rule = ruleTables.rule(report.ruleTableVersion(), report.ruleCode());
            if (participant == null || participant.erased() || rule.isEmpty()
                    || events.containsKey(report.reportId())) {
                continue;
            }
            for (String period : periodsOf(report.occurredAt().truncatedTo(ChronoUnit.MICROS), zone).values()) {
                counters.add(new CapUsageRepository.Key(participant.participantId, rule.get().code(), period));
            }
        }
        capUsage.loadAll(counters);
    }

    /** The event recorded for a report: from the batch, if it loaded it, or else read (without a flush). */
    private ScoreEventEntity recordedEvent(String reportId) {
        Recorded recorded = batch.value(Recorded.class, Recorded::new);
        return recorded == null ? ScoreEventEntity.ofReportUnflushed(reportId)
                : recorded.get(reportId, r -> Optional.ofNullable(ScoreEventEntity.ofReportUnflushed(r))).orElse(null);
    }

    /**
     * Applies a report with the rule of the version it was accepted under; a redelivery of the same report
     * returns the event recorded the first time, unchanged.
     */
    @Transactional
    public Outcome<ScoreEvent> apply(AcceptedReport delivered) {
        AcceptedReport report = new AcceptedReport(delivered.reportId(), delivered.participantId(),
                delivered.agencyId(), delivered.ruleCode(), delivered.ruleTableVersion(), delivered.quantity(),
                delivered.occurredAt().truncatedTo(ChronoUnit.MICROS), delivered.evidenceRef());
        ParticipantEntity participant = participants.lockActive(report.participantId());
        ScoreEventEntity existing = recordedEvent(report.reportId());
        if (existing != null) {
            if (!report.sameAs(existing.toDomain())) {
                throw Refusal.alreadyExists("report " + report.reportId() + " was already applied with other data");
            }
            return Outcome.unchanged(existing.toDomain());
        }

        RuleDefinition rule = ruleTables.rule(report.ruleTableVersion(), report.ruleCode())
                .orElseThrow(() -> Refusal.failedPrecondition("RULE_VERSION_UNKNOWN", "rule table version "
                        + report.ruleTableVersion() + " does not exist or has no rule " + report.ruleCode()));
        if (rule.perUnit() && report.quantity() < 1) {
            throw Refusal.invalid("quantity", "rule " + rule.code() + " counts per " + rule.unitName()
                    + ": the quantity must be at least 1");
        }
        if (!rule.perUnit() && report.quantity() != 0) {
            throw Refusal.invalid("quantity", "rule " + rule.code() + " is fixed: the quantity must be 0");
        }

        ZoneId zone = config.timeZone();
        Map<CapPeriod, String> periods = periodsOf(report.occurredAt(), zone);
        Map<String, Long> used = capUsage.read(participant.participantId, rule.code(), List.copyOf(periods.values()));
        ScoreEvaluation evaluation = ScoreEvaluation.evaluate(rule, report.quantity(), report.occurredAt(),
                used.get(periods.get(rule.capPeriod())));
        capUsage.add(participant.participantId, rule.code(), List.copyOf(periods.values()), evaluation.delta());

        ScoreEventEntity event = new ScoreEventEntity();
        event.eventId = UUID.randomUUID();
        event.reportId = report.reportId();
        event.participantId = participant.participantId;
        event.agencyId = report.agencyId();
        event.ruleCode = rule.code();
        event.ruleTableVersion = report.ruleTableVersion();
        event.category = rule.category();
        event.ruleTitle = rule.title();
        event.quantity = report.quantity();
        event.countedUnits = evaluation.countedUnits();
        event.uncappedDelta = evaluation.uncappedDelta();
        event.delta = evaluation.delta();
        event.capped = evaluation.capped();
        event.awardPoints = evaluation.awardPoints();
        event.occurredAt = report.occurredAt();
        event.appliedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        event.countsUntil = evaluation.countsUntil();
        event.capZone = zone.getId();
        event.evidenceRef = report.evidenceRef();
        event.status = EventStatus.COUNTING;
        event.persist();
        Recorded recorded = batch.value(Recorded.class, Recorded::new);
        if (recorded != null) {
            recorded.created(event.reportId, event);
        }
        participant.scoreVersion++;
        ScoreEvent applied = event.toDomain();
        if (applied.awardPoints() > 0) {
            awards.award(applied);
        }
        announce(participant, ScoreChangeCause.REPORT_APPLIED, null, applied);
        return Outcome.changed(applied);
    }

    /** Freezes the event of a contested report; a frozen event is returned unchanged. */
    @Transactional
    public Outcome<ScoreEvent> freeze(String reportId) {
        Locked locked = lockEventOf(reportId);
        ScoreEventEntity event = locked.event();
        refuseReversed(event);
        if (event.status != EventStatus.FROZEN) {
            ScoreEvent before = event.toDomain();
            event.status = EventStatus.FROZEN;
            event.frozenAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            locked.participant().scoreVersion++;
            ScoreEvent frozen = event.toDomain();
            if (frozen.awardPoints() > 0) {
                awards.freeze(frozen);
            }
            announce(locked.participant(), ScoreChangeCause.EVENT_FROZEN, before, frozen);
            return Outcome.changed(event.toDomain());
        }
        return Outcome.unchanged(event.toDomain());
    }

    /** Lets the event of an upheld report count again; an event that is not frozen is returned unchanged. */
    @Transactional
    public Outcome<ScoreEvent> unfreeze(String reportId) {
        Locked locked = lockEventOf(reportId);
        ScoreEventEntity event = locked.event();
        refuseReversed(event);
        if (event.status == EventStatus.FROZEN) {
            ScoreEvent before = event.toDomain();
            event.status = EventStatus.COUNTING;
            locked.participant().scoreVersion++;
            ScoreEvent unfrozen = event.toDomain();
            if (unfrozen.awardPoints() > 0) {
                awards.release(unfrozen);
            }
            announce(locked.participant(), ScoreChangeCause.EVENT_UNFROZEN, before, unfrozen);
            return Outcome.changed(event.toDomain());
        }
        return Outcome.unchanged(event.toDomain());
    }

    /**
     * Reverses the event of an overturned or withdrawn report, exactly once: it stops counting and the cap
     * usage it took is released. A reversed event is returned unchanged.
     */
    @Transactional
    public Outcome<ScoreEvent> reverse(String reportId, ReversalCause cause, String reason) {
        Locked locked = lockEventOf(reportId);
        ScoreEventEntity event = locked.event();
        if (event.status != EventStatus.REVERSED) {
            ScoreEvent before = event.toDomain();
            event.status = EventStatus.REVERSED;
            event.reversedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            event.reversalCause = cause;
            event.reversalReason = reason;
            capUsage.add(event.participantId, event.ruleCode,
                    List.copyOf(periodsOf(event.occurredAt, ZoneId.of(event.capZone)).values()), -event.delta);
            locked.participant().scoreVersion++;
            ScoreEvent reversed = event.toDomain();
            if (reversed.awardPoints() > 0) {
                awards.reverse(reversed);
            }
            announce(locked.participant(), ScoreChangeCause.EVENT_REVERSED, before, reversed);
            return Outcome.changed(event.toDomain());
        }
        return Outcome.unchanged(event.toDomain());
    }

    /**
     * Computes the participant's new score in the transaction of the change (so it is exactly the score of
     * the new version), keeps its sum and validity in the participant row (the validity also for the expiry
     * sweep), and fires the change; {@link org.civiccredit.scoring.cache.LiveScores} caches and fans it out
     * once the transaction commits. The score is placed in the tiers this instance knows to be current (see
     * {@link Scores} for the window after a publication on another instance).
     *
     * @param before the event before the change, or null for a newly applied one
     */
    private void announce(ParticipantEntity participant, ScoreChangeCause cause, ScoreEvent before,
            ScoreEvent event) {
        LiveScore live = scores.changed(participant, before, event, currentTiers.get(), Instant.now());
        changes.fire(ScoreChange.of(live, cause, event));
    }

    /** The calendar periods (of every kind) that contain {@code occurredAt}. */
    static Map<CapPeriod, String> periodsOf(Instant occurredAt, ZoneId zone) {
        return Arrays.stream(CapPeriod.values()).collect(Collectors.toMap(p -> p, p -> p.keyOf(occurredAt, zone),
                (a, b) -> a, () -> new EnumMap<>(CapPeriod.class)));
    }

    private record Locked(ScoreEventEntity event, ParticipantEntity participant) {
    }

    /** Finds a report's event and locks its participant, then the event itself (always in that order). */
    private Locked lockEventOf(String reportId) {
        ScoreEventEntity event = ScoreEventEntity.<ScoreEventEntity>find("reportId", reportId).firstResult();
        if (event == null) {
            throw Refusal.notFound("no score event for report " + reportId + " yet");
        }
        if (event.participantId == null) {
            throw Participants.erased("of report " + reportId);
        }
        ParticipantEntity participant = participants.lockActive(event.participantId);
        em.refresh(event, LockModeType.PESSIMISTIC_WRITE);
        if (event.participantId == null) {
            throw Participants.erased("of report " + reportId);
        }
        return new Locked(event, participant);
    }

    private static void refuseReversed(ScoreEventEntity event) {
        if (event.status == EventStatus.REVERSED) {
            throw Refusal.failedPrecondition("EVENT_REVERSED", "the score event of report " + event.reportId
                    + " was reversed");
        }
    }
}
