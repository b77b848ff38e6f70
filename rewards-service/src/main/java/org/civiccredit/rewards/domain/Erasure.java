package org.civiccredit.rewards.domain;

/** What erasing a participant did: points forfeited and open holds voided (both 0 on a repeated call). */
public record Erasure(long forfeitedPoints, int holdsVoided) {
}
