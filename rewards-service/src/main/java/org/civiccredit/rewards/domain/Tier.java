package org.civiccredit.rewards.domain;

/** A score tier as scoring-service's current rule table defines it: its name and the lowest score reaching it. */
public record Tier(String name, long threshold) {
}
