package org.civiccredit.scoring.domain;

/** A participant registered with scoring-service, and the score version they are at. */
public record Registration(String participantId, long scoreVersion) {
}
