package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.rewards.persistence.ParticipantEntity;

/** The participants rewards-service may hold a wallet for: registered on enrolment, erased on withdrawal. */
@ApplicationScoped
public class Participants {

    /**
     * Registers a participant; returns false for a replay (which changes nothing); a different subject for the
     * same id is refused.
     */
    @Transactional
    public boolean register(String participantId, String subject) {
        UUID id = participantId(participantId);
        new Violations().require(!subject.isBlank() && subject.length() <= 255, "keycloak_subject",
                "1 to 255 characters").throwIfAny();
        ParticipantEntity existing = ParticipantEntity.getEntityManager().find(ParticipantEntity.class, id,
                LockModeType.PESSIMISTIC_WRITE);
        if (existing != null) {
            if (existing.erasedAt != null) {
                throw Refusal.failedPrecondition("PARTICIPANT_ERASED", "participant " + id + " was erased");
            }
            if (!subject.equals(existing.subject)) {
                throw Refusal.alreadyExists("participant " + id + " is registered with another subject");
            }
            return false;
        }
        // Re-enrolment: the subject moves to the new participant id.
        ParticipantEntity.update("subject = NULL WHERE subject = ?1", subject);
        ParticipantEntity p = new ParticipantEntity();
        p.participantId = id;
        p.subject = subject;
        p.registeredAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        p.persist();
        return true;
    }

    /**
     * Erases a participant (idempotent: false when already erased); an unknown id becomes a tombstone so nothing
     * can follow it.
     */
    @Transactional
    public boolean erase(String participantId) {
        UUID id = participantId(participantId);
        ParticipantEntity p = ParticipantEntity.getEntityManager().find(ParticipantEntity.class, id,
                LockModeType.PESSIMISTIC_WRITE);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (p == null) {
            p = new ParticipantEntity();
            p.participantId = id;
            p.registeredAt = now;
            p.erasedAt = now;
            p.persist();
            return true;
        }
        if (p.erasedAt != null) {
            return false;
        }
        p.subject = null;
        p.erasedAt = now;
        return true;
    }

    /**
     * The participant behind a caller's token subject; refused with PARTICIPANT_NOT_ENROLLED when not
     * registered (yet), withdrawn or erased.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public UUID bySubject(String subject) {
        return ParticipantEntity.<ParticipantEntity>find("subject = ?1 AND erasedAt IS NULL", subject)
                .firstResultOptional().map(p -> p.participantId)
                .orElseThrow(() -> Refusal.failedPrecondition("PARTICIPANT_NOT_ENROLLED",
                        "the caller is not enrolled with rewards-service (or the enrolment has not arrived yet)"));
    }

    /**
     * Locks a participant's row for an internal call; refused with PARTICIPANT_NOT_REGISTERED (the relay
     * retries) or PARTICIPANT_ERASED (final).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public ParticipantEntity lockRegistered(UUID id) {
        ParticipantEntity p = ParticipantEntity.getEntityManager().find(ParticipantEntity.class, id,
                LockModeType.PESSIMISTIC_WRITE);
        if (p == null) {
            throw Refusal.failedPrecondition("PARTICIPANT_NOT_REGISTERED", "participant " + id
                    + " is not registered with rewards-service yet");
        }
        if (p.erasedAt != null) {
            throw Refusal.failedPrecondition("PARTICIPANT_ERASED", "participant " + id + " was erased");
        }
        return p;
    }

    /** Whether a participant is registered and not erased. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public boolean active(String participantId) {
        return ParticipantEntity.count("participantId = ?1 AND erasedAt IS NULL", participantId(participantId)) > 0;
    }

    /** Parses a participant id; refused on field participant_id when it is not a UUID. */
    public static UUID participantId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw Refusal.invalid("participant_id", "a participant id (UUID)");
        }
    }
}
