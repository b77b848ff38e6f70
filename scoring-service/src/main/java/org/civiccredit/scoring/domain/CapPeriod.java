package org.civiccredit.scoring.domain;

/** Calendar period over which a rule's cap per participant applies. */
public enum CapPeriod {
    DAY, WEEK, MONTH, YEAR
}
