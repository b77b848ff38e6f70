package org.civiccredit.reports.config;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Intake limits (application.properties, prefix {@code intake}). */
@ConfigMapping(prefix = "intake")
public interface IntakeConfig {

    /** How far in the past a report's occurred_at may lie. */
    Duration maxReportAge();

    /** How far in the future an occurred_at may lie (clocks differ). */
    Duration clockSkew();

    /** How often the local rule catalog is refreshed from scoring-service ({@code off} to disable). */
    String ruleCatalogRefresh();

    /** Group commit of concurrent SubmitReport calls ({@code intake.group-commit}). */
    GroupCommit groupCommit();

    interface GroupCommit {

        /**
         * How many SubmitReport transactions run at once; the calls that arrive while all of them are busy are
         * committed together by the next. 0 turns grouping off: every call is its own transaction.
         */
        int lanes();

        /** Most reports committed together. */
        int maxReports();
    }
}
