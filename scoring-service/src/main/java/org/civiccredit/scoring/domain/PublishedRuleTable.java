package org.civiccredit.scoring.domain;

import java.time.Instant;
import java.util.List;

/** An immutable, published rule table version. */
public record PublishedRuleTable(long version, Instant publishedAt, String publishedBy, String notes,
        List<RuleDefinition> rules, List<TierDefinition> tiers) {
}
