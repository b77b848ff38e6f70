package org.civiccredit.reports.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.civiccredit.kit.domain.ProtectedGround;

/** What an agency's reporting looked like over a period, and whether it should worry the administrators. */
public record AgencyRecord(String agencyId, Instant from, Instant to, long reportsAccepted, long reportsWithdrawn,
        long withdrawnWhileContested, long contestsOpened, long contestsUpheld, long contestsOverturned,
        long contestsOpen, Map<ProtectedGround, Long> protectedGroundRefusals, long outOfScopeRefusals,
        double overturnRate, List<Flag> flags) {

    /** Why an agency is flagged. */
    public enum Flag {
        OVERTURN_RATE, PROTECTED_GROUND_REFUSALS, OUT_OF_SCOPE_REFUSALS, WITHDRAWN_WHILE_CONTESTED
    }

    public long protectedGroundRefusalTotal() {
        return protectedGroundRefusals.values().stream().mapToLong(Long::longValue).sum();
    }
}
