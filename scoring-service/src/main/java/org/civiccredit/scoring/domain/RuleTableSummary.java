package org.civiccredit.scoring.domain;

import java.time.Instant;

/** One published version without its rules. */
public record RuleTableSummary(long version, Instant publishedAt, String publishedBy, String notes,
        int ruleCount, boolean current) {
}
