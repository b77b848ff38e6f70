package org.civiccredit.reports.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.civiccredit.api.scoring.v1.ApplyReportRequest;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.ReverseEventRequest;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.screen.ProtectedGroundScreen;
import org.civiccredit.reports.config.IntakeConfig;
import org.civiccredit.reports.domain.Agency;
import org.civiccredit.reports.domain.CatalogRule;
import org.civiccredit.reports.domain.EvidenceReference;
import org.civiccredit.reports.domain.Report;
import org.civiccredit.reports.domain.ReportStatus;
import org.civiccredit.reports.domain.ReportSubmission;
import org.civiccredit.reports.persistence.AgencyEntity;
import org.civiccredit.reports.persistence.ReportEntity;
import org.civiccredit.kit.outbox.Outbox;
import org.civiccredit.reports.relay.OutboxKind;

/**
 * Accepts agencies' reports about enrolled participants, and lets each agency read, list and withdraw its
 * own. An accepted report and the outbox row that takes it to scoring-service are written in one
 * transaction; a refused report leaves nothing behind but, for a protected ground, a count against the agency.
 */
@ApplicationScoped
public class Intake {

    public static final int MAX_NOTE = 500;

    private static final ProtectedGroundScreen SCREEN = ProtectedGroundScreen.fromClasspath();

    @Inject
    IntakeConfig config;

    @Inject
    RuleCatalog catalog;

    @Inject
    Enrollments enrollments;

    @Inject
    Outbox outbox;

    @Inject
    RefusalCounts refusals;

    @Transactional
    public Report submit(String agencyId, ReportSubmission s) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID participantId = validate(s, now);
        Agency agency = registered(agencyId, AgencyEntity.readAll(List.of(agencyId)).get(agencyId));
        CatalogRule rule = rule(agency, s, true);
        if (participantId == null || !enrollments.lockIfEnrolledAt(participantId, s.occurredAt())) {
            throw notEnrolled();
        }
        screen(agencyId, s, true);
        return accept(new Admitted(agency, rule, participantId, s, now));
    }

    /** One agency's submission in a group of them ({@link #admitAll}). */
    public record Submitted(String agencyId, ReportSubmission submission) {
    }

    /** A submission that passed every check but the participant's enrolment: its agency, rule and participant. */
    public record Admitted(Agency agency, CatalogRule rule, UUID participantId, ReportSubmission submission,
            Instant receivedAt) {
    }

    /**
     * Checks a group of submissions, to be accepted together ({@link #acceptAll}), as {@link #submit} checks one,
     * but without counting refusals and without taking locks: answers, per submission in order, its admission, or
     * {@code null} for one that {@link #submit} would refuse (it must be submitted alone, where the refusal is given
     * and counted). Reads the agencies in one statement.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<Admitted> admitAll(List<Submitted> submitted) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Map<String, Agency> agencies = AgencyEntity.readAll(submitted.stream().map(Submitted::agencyId).toList());
        List<Admitted> admitted = new ArrayList<>(submitted.size());
        for (Submitted one : submitted) {
            ReportSubmission s = one.submission();
            try {
                UUID participantId = validate(s, now);
                Agency agency = registered(one.agencyId(), agencies.get(one.agencyId()));
                CatalogRule rule = rule(agency, s, false);
                screen(one.agencyId(), s, false);
                admitted.add(participantId == null ? null : new Admitted(agency, rule, participantId, s, now));
            } catch (Refusal refused) {
                admitted.add(null);
            }
        }
        return admitted;
    }

    /**
     * Accepts admitted submissions ({@link #admitAll}; {@code null} entries are skipped) in the current transaction:
     * locks their participants in one statement, then stores each report whose participant was enrolled when it
     * happened, with its outbox row (in a {@link org.civiccredit.kit.persistence.BatchScope}, all rows in one
     * statement). Answers, per entry in order, the stored report, or {@code null} where {@link #submit} would refuse
     * it (the participant is not enrolled): nothing is stored for it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<Report> acceptAll(List<Admitted> admitted) {
        Map<UUID, Instant> enrolled = enrollments.lockAll(admitted.stream().filter(Objects::nonNull)
                .map(Admitted::participantId).toList());
        List<Report> accepted = new ArrayList<>(admitted.size());
        for (Admitted a : admitted) {
            Instant since = a == null ? null : enrolled.get(a.participantId());
            accepted.add(since == null || !Enrollments.enrolledBy(since, a.submission().occurredAt()) ? null : accept(a));
        }
        return accepted;
    }

    /** The agency found for {@code agencyId} ({@code null}: none), if it may report. */
    private static Agency registered(String agencyId, Agency agency) {
        if (agency == null) {
            throw Refusal.permissionDenied("agency " + agencyId + " is not registered");
        }
        if (agency.suspended()) {
            throw Refusal.failedPrecondition("AGENCY_SUSPENDED", "agency " + agencyId + " is suspended");
        }
        return agency;
    }

    /**
     * The current rule the submission names, in the agency's scope, with a quantity as the rule counts. A call
     * {@code alone} may refresh the rule catalog from scoring-service and has its refusal counted; one in a group
     * does neither (it is then submitted alone).
     */
    private CatalogRule rule(Agency agency, ReportSubmission s, boolean alone) {
        CatalogRule rule = catalog.currentRule(s.ruleCode())
                .or(() -> alone && catalog.refresh() ? catalog.currentRule(s.ruleCode()) : Optional.empty())
                .orElseThrow(() -> Refusal.failedPrecondition("RULE_NOT_IN_CURRENT_TABLE",
                        "rule " + s.ruleCode() + " is not in the current rule table"));
        if (!agency.scope().contains(rule.category())) {
            if (alone) {
                refusals.outOfScope(agency.agencyId());
            }
            throw Refusal.failedPrecondition("RULE_OUTSIDE_AGENCY_SCOPE",
                    "rule " + rule.code() + " is in category " + rule.category() + ", outside this agency's scope");
        }
        Violations quantity = new Violations();
        if (rule.perUnit()) {
            quantity.require(s.quantity() > 0, "quantity", "rule " + rule.code() + " counts per unit: give a quantity");
        } else {
            quantity.require(s.quantity() == 0, "quantity", "rule " + rule.code() + " is not per unit: leave it 0");
        }
        quantity.throwIfAny();
        return rule;
    }

    private static Refusal notEnrolled() {
        return Refusal.failedPrecondition("PARTICIPANT_NOT_ENROLLED",
                "the participant is not enrolled, or was not when this happened");
    }

    /** Refuses a note on a protected ground; a call {@code alone} has the refusal counted against its agency. */
    private void screen(String agencyId, ReportSubmission s, boolean alone) {
        SCREEN.screen(s.note()).ifPresent(finding -> {
            if (alone) {
                refusals.protectedGround(agencyId, finding.ground());
            }
            throw Refusal.failedPrecondition("PROTECTED_GROUND", "the note concerns a protected ground ("
                    + finding.ground() + "); reports may only concern conduct inside the programme");
        });
    }

    /** Stores an accepted report and the outbox row that takes it to scoring-service. */
    private Report accept(Admitted a) {
        ReportSubmission s = a.submission();
        CatalogRule rule = a.rule();
        String agencyId = a.agency().agencyId();
        ReportEntity r = new ReportEntity();
        r.reportId = UUID.randomUUID();
        r.agencyId = agencyId;
        r.participantId = a.participantId();
        r.ruleCode = rule.code();
        r.ruleTableVersion = rule.version();
        r.category = rule.category();
        r.ruleTitle = rule.title();
        r.quantity = s.quantity();
        r.occurredAt = s.occurredAt();
        r.receivedAt = a.receivedAt();
        r.evidenceRef = s.evidenceRef();
        r.note = s.note().isEmpty() ? null : s.note();
        r.status = ReportStatus.ACCEPTED;
        r.statusChangedAt = a.receivedAt();
        r.persist();
        outbox.add(OutboxKind.SCORING_APPLY_REPORT, a.participantId().toString(), ApplyReportRequest.newBuilder()
                .setIdempotencyKey("apply-" + r.reportId).setReportId(r.reportId.toString())
                .setParticipantId(a.participantId().toString()).setAgencyId(agencyId).setRuleCode(rule.code())
                .setRuleTableVersion(rule.version()).setQuantity(s.quantity())
                .setOccurredAt(ProtoTime.timestamp(s.occurredAt())).setEvidenceRef(s.evidenceRef()).build(),
                r.reportId);
        return r.toDomain(a.agency().displayName());
    }

    /** Field checks; returns the participant id, or null when it is not a well-formed id. */
    private UUID validate(ReportSubmission s, Instant now) {
        Violations v = new Violations();
        v.require(!s.participantId().isEmpty(), "participant_id", "required");
        v.require(!s.ruleCode().isEmpty(), "rule_code", "required");
        v.require(s.quantity() >= 0, "quantity", "must be 0 or more");
        if (s.occurredAt() == null) {
            v.add("occurred_at", "required");
        } else {
            v.require(!s.occurredAt().isAfter(now.plus(config.clockSkew())), "occurred_at", "lies in the future");
            v.require(!s.occurredAt().isBefore(now.minus(config.maxReportAge())), "occurred_at",
                    "older than the programme accepts (" + config.maxReportAge().toDays() + " days)");
        }
        EvidenceReference.problem(s.evidenceRef()).ifPresent(p -> v.add("evidence_ref", p));
        v.require(s.note().length() <= MAX_NOTE, "note", "at most " + MAX_NOTE + " characters");
        v.throwIfAny();
        try {
            return UUID.fromString(s.participantId());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Report get(String agencyId, String reportId) {
        ReportEntity r = own(agencyId, reportId);
        return r.toDomain(AgencyEntity.displayNameOf(agencyId));
    }

    /** A page of an agency's reports, newest received first, after the cursor (received_at, report_id). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Report> list(String agencyId, Set<ReportStatus> statuses, Instant occurredFrom, Instant occurredTo,
            Instant receivedFrom, Instant receivedTo, Instant afterReceived, UUID afterId, int limit) {
        Set<ReportStatus> wanted = statuses.isEmpty() ? EnumSet.allOf(ReportStatus.class) : statuses;
        String name = AgencyEntity.displayNameOf(agencyId);
        return ReportEntity.<ReportEntity>find("""
                agencyId = :agency AND status IN :statuses
                AND occurredAt >= :occurredFrom AND occurredAt < :occurredTo
                AND receivedAt >= :receivedFrom AND receivedAt < :receivedTo
                AND (receivedAt < :afterReceived OR (receivedAt = :afterReceived AND reportId < :afterId))
                ORDER BY receivedAt DESC, reportId DESC""",
                io.quarkus.panache.common.Parameters.with("agency", agencyId).and("statuses", wanted)
                        .and("occurredFrom", occurredFrom).and("occurredTo", occurredTo)
                        .and("receivedFrom", receivedFrom).and("receivedTo", receivedTo)
                        .and("afterReceived", afterReceived).and("afterId", afterId))
                .page(0, limit).list().stream().map(r -> r.toDomain(name)).toList();
    }

    /** Withdraws an agency's own report; its effect is reversed through the outbox, exactly once. */
    @Transactional
    public Report withdraw(String agencyId, String reportId, String reason) {
        new Violations().require(!reason.isBlank() && reason.length() <= 500, "reason", "1 to 500 characters")
                .throwIfAny();
        ReportEntity r = own(agencyId, reportId);
        // Re-read under the lock: a contest decided while this waited has changed the status.
        ReportEntity.getEntityManager().refresh(r, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (r.status == ReportStatus.OVERTURNED) {
            throw Refusal.failedPrecondition("REPORT_ALREADY_REVERSED", "the report was overturned on review");
        }
        if (r.status != ReportStatus.WITHDRAWN) {
            r.status = ReportStatus.WITHDRAWN;
            r.statusChangedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            r.withdrawalReason = reason;
            // A contest still open has nothing left to decide.
            ReportEntity.getEntityManager().createQuery(
                    "UPDATE ContestEntity c SET c.state = ?1 WHERE c.reportId = ?2 AND c.state = ?3")
                    .setParameter(1, org.civiccredit.reports.domain.Contest.State.CLOSED).setParameter(2, r.reportId)
                    .setParameter(3, org.civiccredit.reports.domain.Contest.State.OPEN).executeUpdate();
            outbox.add(OutboxKind.SCORING_REVERSE_EVENT, r.participantId.toString(), ReverseEventRequest.newBuilder()
                    .setIdempotencyKey("reverse-" + r.reportId).setReportId(r.reportId.toString())
                    .setReason(reason).setCause(ReversalCause.REVERSAL_CAUSE_REPORT_WITHDRAWN).build(), r.reportId);
        }
        return r.toDomain(AgencyEntity.displayNameOf(agencyId));
    }

    private static ReportEntity own(String agencyId, String reportId) {
        if (reportId.isEmpty()) {
            throw Refusal.invalid("report_id", "required");
        }
        UUID id;
        try {
            id = UUID.fromString(reportId);
        } catch (IllegalArgumentException e) {
            throw Refusal.notFound("no report " + reportId);
        }
        return ReportEntity.<ReportEntity>findByIdOptional(id).filter(r -> r.agencyId.equals(agencyId))
                .orElseThrow(() -> Refusal.notFound("no report " + reportId));
    }

}
