package org.civiccredit.scoring.domain;

/**
 * One committed change of a participant's score, as it is cached and fanned out to every instance: the new
 * score with its cause and the report and event behind it, or the erasure of the participant.
 *
 * @param score    the new score; null when the participant was erased
 * @param version  the participant's score version after the change
 * @param reportId the report behind the change; empty when there is none
 * @param eventId  the score event behind the change; empty when there is none
 */
public record ScoreChange(String participantId, LiveScore score, long version, ScoreChangeCause cause,
        String reportId, String eventId) {

    public static ScoreChange of(LiveScore score, ScoreChangeCause cause, ScoreEvent event) {
        return new ScoreChange(score.participantId(), score, score.version(), cause,
                event == null ? "" : event.reportId(), event == null ? "" : event.eventId().toString());
    }

    public static ScoreChange erased(String participantId, long version) {
        return new ScoreChange(participantId, null, version, null, "", "");
    }

    public boolean erasure() {
        return score == null;
    }
}
