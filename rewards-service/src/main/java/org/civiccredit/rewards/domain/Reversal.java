package org.civiccredit.rewards.domain;

/** Outcome of a reversal as first recorded: points clawed back, and what could not be recovered (shortfall). */
public record Reversal(long clawedBack, long shortfall) {
}
