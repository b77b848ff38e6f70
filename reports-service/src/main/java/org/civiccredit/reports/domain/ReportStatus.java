package org.civiccredit.reports.domain;

/** Where a report stands. */
public enum ReportStatus {
    ACCEPTED, SCORED, CONTESTED, UPHELD, OVERTURNED, WITHDRAWN
}
