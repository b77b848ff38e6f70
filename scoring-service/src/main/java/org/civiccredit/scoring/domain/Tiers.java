package org.civiccredit.scoring.domain;

import java.time.Instant;
import java.util.List;

/**
 * The tiers of one rule table version, ascending by threshold; version 0 (and no tiers) before any table is
 * published.
 */
public record Tiers(long ruleTableVersion, List<TierDefinition> ascending) {

    public static final Tiers NONE = new Tiers(0, List.of());

    public Tiers {
        ascending = List.copyOf(ascending);
    }

    /** The score of a participant from the sum of their events' contributions, with these tiers. */
    public Score scoreOf(String participantId, long sumOfContributions, long version, Instant asOf) {
        return Score.of(participantId, sumOfContributions, version, ascending, asOf);
    }
}
