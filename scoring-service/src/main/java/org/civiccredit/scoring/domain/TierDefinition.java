package org.civiccredit.scoring.domain;

/** A named score threshold; tiers unlock offers and never restrict anyone's rights. */
public record TierDefinition(String name, long threshold) {
}
