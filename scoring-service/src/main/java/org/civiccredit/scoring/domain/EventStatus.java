package org.civiccredit.scoring.domain;

/**
 * Status of a score event. COUNTING, FROZEN and REVERSED are decided and stored; EXPIRED is what a
 * COUNTING event is once its counting window has ended.
 */
public enum EventStatus {
    COUNTING, FROZEN, REVERSED, EXPIRED
}
