package org.civiccredit.scoring.domain;

/** Why a score event was reversed. */
public enum ReversalCause {
    CONTEST_OVERTURNED, REPORT_WITHDRAWN
}
