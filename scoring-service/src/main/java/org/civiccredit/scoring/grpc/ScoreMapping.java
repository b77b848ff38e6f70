package org.civiccredit.scoring.grpc;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.civiccredit.api.common.v1.ConductCategory;
import org.civiccredit.api.scoring.v1.AppliedRule;
import org.civiccredit.api.scoring.v1.EventStatus;
import org.civiccredit.api.scoring.v1.GetScoreBreakdownResponse;
import org.civiccredit.api.scoring.v1.ReversalCause;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreChangeCause;
import org.civiccredit.api.scoring.v1.ScoreEvent;
import org.civiccredit.api.scoring.v1.ScoreUpdate;
import org.civiccredit.api.scoring.v1.ScoringDataExport;
import org.civiccredit.api.scoring.v1.Tier;
import org.civiccredit.kit.error.Violations;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.scoring.domain.ParticipantExport;
import org.civiccredit.scoring.service.OwnScores;

/**
 * Maps scores, score events and their requests' fields between the v1 contract and the domain, for the gRPC
 * adapters and for the HTTP API, which answers with the same messages.
 */
public final class ScoreMapping {

    /** Longest opaque id accepted (participant, report and agency ids). */
    static final int MAX_ID_LENGTH = 64;

    private ScoreMapping() {
    }

    public static Score toProto(org.civiccredit.scoring.domain.Score score) {
        Score.Builder b = Score.newBuilder()
                .setParticipantId(score.participantId())
                .setScore(score.score())
                .setNextTierName(score.nextTierName())
                .setPointsToNextTier(score.pointsToNextTier())
                .setVersion(score.version())
                .setAsOf(ProtoTime.timestamp(score.asOf()));
        if (score.tier() != null) {
            b.setTier(Tier.newBuilder().setName(score.tier().name()).setThreshold(score.tier().threshold()));
        }
        return b.build();
    }

    /** One message of StreamScore: the full score and what changed it. */
    static ScoreUpdate toUpdate(org.civiccredit.scoring.domain.Score score,
            org.civiccredit.scoring.domain.ScoreChangeCause cause, String reportId, String eventId) {
        return ScoreUpdate.newBuilder()
                .setScore(toProto(score))
                .setCause(ScoreChangeCause.valueOf("SCORE_CHANGE_CAUSE_" + cause.name()))
                .setReportId(reportId)
                .setEventId(eventId)
                .build();
    }

    /** The event as a participant sees it at {@code now} (a counting event past its window is EXPIRED). */
    static ScoreEvent toProto(org.civiccredit.scoring.domain.ScoreEvent e, Instant now) {
        ScoreEvent.Builder b = ScoreEvent.newBuilder()
                .setEventId(e.eventId().toString())
                .setReportId(e.reportId())
                .setParticipantId(e.participantId() == null ? "" : e.participantId())
                .setAgencyId(e.agencyId())
                .setRuleCode(e.ruleCode())
                .setRuleTableVersion(e.ruleTableVersion())
                .setCategory(ConductCategory.valueOf(e.category().name()))
                .setDelta(e.delta())
                .setQuantity(e.quantity())
                .setOccurredAt(ProtoTime.timestamp(e.occurredAt()))
                .setAppliedAt(ProtoTime.timestamp(e.appliedAt()))
                .setCountsUntil(ProtoTime.timestamp(e.countsUntil()))
                .setEvidenceRef(e.evidenceRef())
                .setStatus(EventStatus.valueOf("EVENT_STATUS_" + e.statusAt(now).name()))
                .setCapped(e.capped())
                .setUncappedDelta(e.uncappedDelta())
                .setCountedUnits(e.countedUnits())
                .setAwardPoints(e.awardPoints())
                .setRuleTitle(e.ruleTitle());
        if (e.frozenAt() != null) {
            b.setFrozenAt(ProtoTime.timestamp(e.frozenAt()));
        }
        if (e.reversedAt() != null) {
            b.setReversedAt(ProtoTime.timestamp(e.reversedAt()));
        }
        if (e.reversalCause() != null) {
            b.setReversalCause(ReversalCause.valueOf("REVERSAL_CAUSE_" + e.reversalCause().name()));
        }
        if (e.reversalReason() != null) {
            b.setReversalReason(e.reversalReason());
        }
        return b.build();
    }

    static ScoringDataExport toProto(ParticipantExport export, Instant now) {
        ScoringDataExport.Builder b = ScoringDataExport.newBuilder()
                .setScore(toProto(export.score()))
                .setKeycloakSubject(export.keycloakSubject());
        export.events().forEach(e -> b.addEvents(toProto(e, now)));
        export.rulesApplied().forEach(r -> b.addRulesApplied(AppliedRule.newBuilder()
                .setRuleTableVersion(r.ruleTableVersion()).setRule(RuleTableMapping.toProto(r.rule()))));
        if (export.registeredAt() != null) {
            b.setRegisteredAt(ProtoTime.timestamp(export.registeredAt()));
        }
        return b.build();
    }

    /** A page of the breakdown as the participant sees it at {@code now}. */
    public static GetScoreBreakdownResponse toProto(OwnScores.Breakdown breakdown, Instant now) {
        GetScoreBreakdownResponse.Builder b = GetScoreBreakdownResponse.newBuilder()
                .setScore(toProto(breakdown.score()))
                .setNextPageToken(breakdown.nextPageToken());
        breakdown.entries().forEach(e -> b.addEntries(toProto(e, now)));
        return b.build();
    }

    /** The domain status of a requested filter value; null (and a violation) for an unset or unknown one. */
    public static org.civiccredit.scoring.domain.EventStatus status(EventStatus status, String field, Violations v) {
        return switch (status) {
            case EVENT_STATUS_COUNTING -> org.civiccredit.scoring.domain.EventStatus.COUNTING;
            case EVENT_STATUS_FROZEN -> org.civiccredit.scoring.domain.EventStatus.FROZEN;
            case EVENT_STATUS_REVERSED -> org.civiccredit.scoring.domain.EventStatus.REVERSED;
            case EVENT_STATUS_EXPIRED -> org.civiccredit.scoring.domain.EventStatus.EXPIRED;
            default -> {
                v.add(field, "one of COUNTING, FROZEN, REVERSED, EXPIRED");
                yield null;
            }
        };
    }

    static org.civiccredit.scoring.domain.ReversalCause cause(ReversalCause cause, Violations v) {
        return switch (cause) {
            case REVERSAL_CAUSE_CONTEST_OVERTURNED -> org.civiccredit.scoring.domain.ReversalCause.CONTEST_OVERTURNED;
            case REVERSAL_CAUSE_REPORT_WITHDRAWN -> org.civiccredit.scoring.domain.ReversalCause.REPORT_WITHDRAWN;
            default -> {
                v.add("cause", "required: CONTEST_OVERTURNED or REPORT_WITHDRAWN");
                yield null;
            }
        };
    }

    /** A required, valid timestamp; null (and a violation) when unset or out of range. */
    static Instant instant(boolean present, Timestamp t, String field, Violations v) {
        if (!present) {
            v.add(field, "required");
            return null;
        }
        return ProtoTime.instant(t, field, v);
    }

    /** Requires an opaque id of 1..64 characters. */
    static void requireId(String value, String field, Violations v) {
        v.requireText(value, MAX_ID_LENGTH, field);
    }
}
