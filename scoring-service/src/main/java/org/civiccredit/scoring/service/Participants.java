package org.civiccredit.scoring.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.audit.Outcome;
import org.civiccredit.scoring.domain.Registration;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.persistence.CapUsageRepository;
import org.civiccredit.scoring.persistence.ParticipantEntity;
import org.civiccredit.scoring.relay.AwardOutbox;

/** The participants scoring-service knows: registered at enrolment, erased at withdrawal, found by token subject. */
@ApplicationScoped
public class Participants {

    @Inject
    EntityManager em;

    @Inject
    CapUsageRepository capUsage;

    @Inject
    AwardOutbox awards;

    @Inject
    IdempotentCalls idempotentCalls;

    @Inject
    Event<ScoreChange> changes;

    /**
     * Registers a participant id with its Keycloak subject; a redelivery is harmless. The subject is taken
     * from any other participant it was bound to (re-enrolment after withdrawal).
     */
    @Transactional
    public Outcome<Registration> register(String participantId, String subject, Instant enrolledAt) {
        lockName("participant:" + participantId);
        lockName("subject:" + subject);
        ParticipantEntity participant = ParticipantEntity.findById(participantId, LockModeType.PESSIMISTIC_WRITE);
        if (participant != null) {
            if (participant.erased()) {
                throw erased(participantId);
            }
            // An unbound participant lost its subject to a newer registration: this is a late redelivery.
            if (participant.keycloakSubject != null && !participant.keycloakSubject.equals(subject)) {
                throw Refusal.alreadyExists("participant " + participantId
                        + " is already registered with a different subject");
            }
            return Outcome.unchanged(new Registration(participantId, participant.scoreVersion));
        }
        em.createQuery("UPDATE ParticipantEntity p SET p.keycloakSubject = NULL WHERE p.keycloakSubject = ?1")
                .setParameter(1, subject).executeUpdate();
        participant = new ParticipantEntity();
        participant.participantId = participantId;
        participant.keycloakSubject = subject;
        participant.enrolledAt = enrolledAt == null ? null : enrolledAt.truncatedTo(ChronoUnit.MICROS);
        participant.registeredAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        participant.scoreVersion = 1;
        participant.scoreSum = 0L;
        participant.persist();
        return Outcome.changed(new Registration(participantId, participant.scoreVersion));
    }

    /**
     * Erases a participant: their events become anonymous (no participant id, no evidence reference), their cap
     * usage and subject binding are deleted, stored calls about them are forgotten, and the awards still waiting
     * in the outbox are cancelled (rewards-service refuses or forfeits them once it erases the participant too,
     * and their payloads would otherwise linger). The id stays as a tombstone (also for an id never registered)
     * so late deliveries are refused. After the commit the live score in Redis is replaced by a tombstone and the
     * participant's streams end: the tombstone holds no personal data (the id, a version, zeros), keeps a refill
     * read before the erasure from bringing the score back, and expires with the cache's TTL.
     *
     * @return the number of events anonymised; unchanged (and 0) when the participant was already erased
     */
    @Transactional
    public Outcome<Long> erase(String participantId) {
        lockName("participant:" + participantId);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        ParticipantEntity participant = ParticipantEntity.findById(participantId, LockModeType.PESSIMISTIC_WRITE);
        if (participant != null && participant.erased()) {
            return Outcome.unchanged(0L);
        }
        idempotentCalls.forgetParticipant(participantId);
        if (participant == null) {
            ParticipantEntity tombstone = new ParticipantEntity();
            tombstone.participantId = participantId;
            tombstone.erasedAt = now;
            tombstone.scoreVersion = 1;
            tombstone.scoreSum = 0L;
            tombstone.persist();
            return Outcome.changed(0L);
        }
        long anonymised = em.createQuery("""
                UPDATE ScoreEventEntity e SET e.participantId = NULL, e.evidenceRef = ''
                WHERE e.participantId = ?1""").setParameter(1, participantId).executeUpdate();
        capUsage.deleteFor(participantId);
        awards.cancelPending(participantId);
        participant.keycloakSubject = null;
        participant.enrolledAt = null;
        participant.erasedAt = now;
        // No event is theirs any more: the stored sum is what summing them gives, nothing, with no end.
        participant.scoreSum = 0L;
        participant.scoreValidUntil = null;
        participant.scoreVersion++;
        changes.fire(ScoreChange.erased(participantId, participant.scoreVersion));
        return Outcome.changed(anonymised);
    }

    /** The registered, not erased participant whose token carries {@code subject}. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<String> participantWithSubject(String subject) {
        return ParticipantEntity.<ParticipantEntity>find("keycloakSubject = ?1 and erasedAt is null", subject)
                .firstResultOptional().map(p -> p.participantId);
    }

    /**
     * Locks a participant for a change to their events, until the transaction ends: every change of one
     * participant's events and cap usage is serialised through this row.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    ParticipantEntity lockActive(String participantId) {
        ParticipantEntity participant = ParticipantEntity.findById(participantId, LockModeType.PESSIMISTIC_WRITE);
        if (participant == null) {
            throw Refusal.failedPrecondition("PARTICIPANT_NOT_REGISTERED", "participant " + participantId
                    + " is not registered here yet; retry later");
        }
        if (participant.erased()) {
            throw erased(participantId);
        }
        return participant;
    }

    static Refusal erased(String participantId) {
        return Refusal.failedPrecondition("PARTICIPANT_ERASED", "participant " + participantId + " was erased");
    }

    /** A transaction-scoped advisory lock on a name, serialising registrations per participant and subject. */
    private void lockName(String name) {
        em.createNativeQuery("SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))").setParameter(1, name)
                .getSingleResult();
    }
}
