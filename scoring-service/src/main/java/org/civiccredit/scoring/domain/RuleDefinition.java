package org.civiccredit.scoring.domain;

import java.time.Duration;
import org.civiccredit.kit.domain.ConductCategory;

/**
 * One rule of a rule table as an administrator wrote it. {@code category} and {@code capPeriod} are null
 * when the submitted value is unknown, so that validation can name the rule instead of failing on parse.
 */
public record RuleDefinition(String code, ConductCategory category, String title, String description,
        long scoreDelta, boolean perUnit, int unitCap, String unitName, long awardPoints, long capPerPeriod,
        CapPeriod capPeriod, Duration countsFor) {
}
