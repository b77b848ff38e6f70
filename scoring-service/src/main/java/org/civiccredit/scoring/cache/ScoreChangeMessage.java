package org.civiccredit.scoring.cache;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.Score;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.domain.ScoreChangeCause;
import org.civiccredit.scoring.domain.TierDefinition;

/**
 * The messages on the pub/sub channel of score changes, as JSON: {@code {"type":"score", ...}} a participant's
 * new score with its cause, {@code {"type":"erased", ...}} the end of a participant, and
 * {@code {"type":"tiers","table":n}} a newly published rule table. Every instance publishes and reads them.
 */
public final class ScoreChangeMessage {

    private ScoreChangeMessage() {
    }

    /** What a message announces: a change of one participant's score, or new tiers for everyone. */
    public sealed interface Announcement permits Change, NewTiers {
    }

    public record Change(ScoreChange change) implements Announcement {
    }

    public record NewTiers(long ruleTableVersion) implements Announcement {
    }

    public static String encode(ScoreChange change) {
        JsonObject json = new JsonObject().put("participant", change.participantId()).put("version", change.version());
        if (change.erasure()) {
            return json.put("type", "erased").encode();
        }
        Score s = change.score().score();
        json.put("type", "score").put("cause", change.cause().name()).put("report", change.reportId())
                .put("event", change.eventId()).put("score", s.score()).put("nextTier", s.nextTierName())
                .put("toNextTier", s.pointsToNextTier()).put("asOf", s.asOf().toEpochMilli())
                .put("table", change.score().ruleTableVersion());
        if (s.tier() != null) {
            json.put("tier", s.tier().name()).put("tierThreshold", s.tier().threshold());
        }
        if (change.score().validUntil() != null) {
            json.put("validUntil", change.score().validUntil().toEpochMilli());
        }
        return json.encode();
    }

    public static String newTiers(long ruleTableVersion) {
        return new JsonObject().put("type", "tiers").put("table", ruleTableVersion).encode();
    }

    /** The announcement of a message; throws IllegalArgumentException for a message it cannot read. */
    public static Announcement decode(String message) {
        try {
            JsonObject json = new JsonObject(message);
            String type = json.getString("type", "");
            switch (type) {
                case "tiers":
                    return new NewTiers(json.getLong("table"));
                case "erased":
                    return new Change(ScoreChange.erased(json.getString("participant"), json.getLong("version")));
                case "score":
                    String participant = json.getString("participant");
                    long version = json.getLong("version");
                    TierDefinition tier = json.containsKey("tier")
                            ? new TierDefinition(json.getString("tier"), json.getLong("tierThreshold"))
                            : null;
                    Score score = new Score(participant, json.getLong("score"), tier, json.getString("nextTier", ""),
                            json.getLong("toNextTier", 0L), version, Instant.ofEpochMilli(json.getLong("asOf")));
                    Long validUntil = json.getLong("validUntil");
                    LiveScore live = new LiveScore(score, json.getLong("table"),
                            validUntil == null ? null : Instant.ofEpochMilli(validUntil));
                    return new Change(new ScoreChange(participant, live, version,
                            ScoreChangeCause.valueOf(json.getString("cause")), json.getString("report", ""),
                            json.getString("event", "")));
                default:
                    throw new IllegalArgumentException("unknown message type '" + type + "'");
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable score change message: " + e.getMessage(), e);
        }
    }
}
