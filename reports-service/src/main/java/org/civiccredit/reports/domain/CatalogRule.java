package org.civiccredit.reports.domain;

import org.civiccredit.kit.domain.ConductCategory;

/** What intake needs to know of a published rule: its category (for agency scope) and unit model. */
public record CatalogRule(long version, String code, ConductCategory category, String title, boolean perUnit,
        int unitCap) {
}
