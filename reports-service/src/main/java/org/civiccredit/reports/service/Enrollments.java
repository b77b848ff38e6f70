package org.civiccredit.reports.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.civiccredit.api.scoring.v1.EraseParticipantRequest;
import org.civiccredit.api.scoring.v1.RegisterParticipantRequest;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.persistence.NativeReads;
import org.civiccredit.reports.domain.Enrollment;
import org.civiccredit.reports.persistence.ConsentTextEntity;
import org.civiccredit.reports.persistence.ParticipantEntity;
import org.civiccredit.kit.outbox.Outbox;
import org.civiccredit.reports.relay.OutboxKind;
import org.hibernate.query.NativeQuery;

/**
 * Enrolment with consent, and withdrawal. A participant can only enrol themselves (the token subject); on
 * withdrawal the link to the person is erased here, reports about them are anonymised, and scoring-service
 * and rewards-service are told through the outbox to erase what they hold.
 */
@ApplicationScoped
public class Enrollments {

    /** What erased free text reads as where a value must remain. */
    public static final String ERASED = "erased:participant-withdrew";

    @Inject
    Outbox outbox;

    @Inject
    IdempotentCalls idempotent;

    /** The newest consent text. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public ConsentTextEntity currentConsent() {
        return ConsentTextEntity.<ConsentTextEntity>find("ORDER BY version DESC").firstResultOptional()
                .orElseThrow(() -> Refusal.notFound("no consent text is configured"));
    }

    /** Result of an enrolment: the enrolment and whether this call created it. */
    public record Enrolled(Enrollment enrollment, boolean created) {
    }

    @Transactional
    public Enrolled enroll(String subject, long consentVersion) {
        if (consentVersion <= 0) {
            throw Refusal.invalid("consent_version", "the version of the consent text the participant accepted");
        }
        Optional<ParticipantEntity> existing = ParticipantEntity.enrolledBySubject(subject);
        if (existing.isPresent()) {
            return new Enrolled(existing.get().toDomain(), false);
        }
        long current = currentConsent().version;
        if (consentVersion != current) {
            throw Refusal.failedPrecondition("CONSENT_VERSION_OUTDATED",
                    "consent version " + consentVersion + " is not the current one (" + current + ")");
        }
        ParticipantEntity p = new ParticipantEntity();
        p.participantId = UUID.randomUUID();
        p.subject = subject;
        p.state = "ENROLLED";
        p.consentVersion = consentVersion;
        p.enrolledAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        p.persist();
        String id = p.participantId.toString();
        outbox.add(OutboxKind.SCORING_REGISTER_PARTICIPANT, id, RegisterParticipantRequest.newBuilder()
                .setIdempotencyKey("register-" + id).setParticipantId(id).setKeycloakSubject(subject)
                .setEnrolledAt(ProtoTime.timestamp(p.enrolledAt)).build(), null);
        outbox.add(OutboxKind.REWARDS_REGISTER_PARTICIPANT, id,
                org.civiccredit.api.rewards.v1.RegisterParticipantRequest.newBuilder()
                        .setIdempotencyKey("register-" + id).setParticipantId(id).setKeycloakSubject(subject)
                        .setEnrolledAt(ProtoTime.timestamp(p.enrolledAt)).build(), null);
        return new Enrolled(p.toDomain(), true);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Enrollment myEnrollment(String subject) {
        return ParticipantEntity.enrolledBySubject(subject).map(ParticipantEntity::toDomain)
                .orElseThrow(() -> Refusal.notFound("you are not enrolled"));
    }

    /**
     * Withdraws the caller and erases what this service holds about them as a person; returns the withdrawal
     * time, or empty when they were not enrolled. What stays is pseudonymous and needed for the agencies'
     * accountability counts: the participant row without its subject, and the report and contest rows without
     * any free text. Erased: the subject; the agencies' notes, evidence references and withdrawal reasons; the
     * participant's contest statements and the reviewers' reasons written to them; the caller's idempotency keys
     * and every stored response about them, whoever called; and the payloads of the participant's outbox rows
     * (the registrations carry the subject). Rows not yet delivered are closed unsent, since the erasure that
     * follows them supersedes whatever they would have told the other services.
     */
    @Transactional
    public Optional<Instant> withdraw(String subject) {
        Optional<ParticipantEntity> found = ParticipantEntity.enrolledBySubject(subject);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ParticipantEntity p = found.get();
        ParticipantEntity.getEntityManager().refresh(p, LockModeType.PESSIMISTIC_WRITE);
        if (!p.enrolled()) {
            return Optional.empty();
        }
        // Before any row a delivery touches (the participant's reports, their outbox rows): a relay pass holding
        // their streams finishes first, and none starts until this transaction ends.
        outbox.holdStreams(p.participantId.toString(), OutboxKind.targets());
        p.state = "WITHDRAWN";
        p.subject = null;
        p.withdrawnAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        EntityManager em = ParticipantEntity.getEntityManager();
        em.createQuery("""
                UPDATE ReportEntity r SET r.note = NULL, r.evidenceRef = ?2, r.withdrawalReason = NULL
                WHERE r.participantId = ?1""").setParameter(1, p.participantId).setParameter(2, ERASED)
                .executeUpdate();
        // Open contests close; every statement (the participant's own words) and every decision reason
        // (written to them, often quoting them) is erased.
        em.createNativeQuery("""
                UPDATE contest SET statement = NULL,
                    decision_reason = CASE WHEN decision_reason IS NULL THEN NULL ELSE ?2 END,
                    state = CASE WHEN state = 'OPEN' THEN 'CLOSED' ELSE state END
                WHERE participant_id = ?1""").setParameter(1, p.participantId).setParameter(2, ERASED)
                .executeUpdate();
        String id = p.participantId.toString();
        idempotent.forgetCaller(subject);
        // Others' stored answers about them (reports, decisions) all carry the participant id, which
        // IdempotentCalls filed them under. Their retries run again and find a withdrawn participant: refused,
        // or answered as they stand.
        idempotent.forgetParticipant(id);
        em.createNativeQuery("""
                UPDATE outbox SET payload = decode('', 'hex'),
                    delivered_at = coalesce(delivered_at, now()),
                    outcome = coalesce(outcome, 'SKIPPED participant withdrew')
                WHERE stream = ?1""").setParameter(1, id).executeUpdate();
        outbox.add(OutboxKind.SCORING_ERASE_PARTICIPANT, id, EraseParticipantRequest.newBuilder()
                .setIdempotencyKey("erase-" + id).setParticipantId(id).build(), null);
        outbox.add(OutboxKind.REWARDS_ERASE_PARTICIPANT, id,
                org.civiccredit.api.rewards.v1.EraseParticipantRequest.newBuilder()
                        .setIdempotencyKey("erase-" + id).setParticipantId(id).build(), null);
        return Optional.of(p.withdrawnAt);
    }

    /**
     * Whether a participant id belongs to someone still enrolled who was enrolled on the day of {@code at}
     * or before (people often enrol at the event itself). Locks the participant's row until the transaction
     * ends, so a concurrent withdrawal or report about the same participant waits: reports about one
     * participant commit in the order of their outbox rows, and none slips in after a withdrawal.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean lockIfEnrolledAt(UUID participantId, Instant at) {
        Instant since = lockAll(List.of(participantId)).get(participantId);
        return since != null && enrolledBy(since, at);
    }

    /**
     * Locks participants as {@link #lockIfEnrolledAt} locks one, all in one statement and in id order (so that two
     * groups of reports never wait for each other's participants in a cycle); answers those enrolled, each with when
     * they enrolled. The statement is one text for any number of ids ({@link NativeReads}) and loads no entities;
     * its lock is the one Hibernate takes for {@code PESSIMISTIC_WRITE}. A row that a withdrawal changes meanwhile is
     * read as that withdrawal left it, once it commits.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<UUID, Instant> lockAll(Collection<UUID> participantIds) {
        if (participantIds.isEmpty()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = ParticipantEntity.getEntityManager().createNativeQuery("""
                SELECT participant_id, enrolled_at FROM participant
                WHERE participant_id = ANY(?1) AND state = 'ENROLLED'
                ORDER BY participant_id FOR NO KEY UPDATE""").unwrap(NativeQuery.class)
                .addSynchronizedEntityClass(ParticipantEntity.class)
                .setParameter(1, participantIds.stream().distinct().toArray(UUID[]::new)).getResultList();
        Map<UUID, Instant> enrolled = new HashMap<>();
        for (Object[] row : rows) {
            enrolled.put((UUID) row[0], NativeReads.instant(row[1]));
        }
        return enrolled;
    }

    /** Whether someone who enrolled at {@code enrolledAt} was enrolled when {@code at} happened (from that day on). */
    public static boolean enrolledBy(Instant enrolledAt, Instant at) {
        return !at.isBefore(enrolledAt.truncatedTo(ChronoUnit.DAYS));
    }
}
