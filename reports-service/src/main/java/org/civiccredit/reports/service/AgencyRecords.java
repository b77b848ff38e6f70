package org.civiccredit.reports.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.civiccredit.kit.domain.ProtectedGround;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.reports.config.AccountabilityConfig;
import org.civiccredit.reports.domain.AgencyRecord;
import org.civiccredit.reports.persistence.AgencyEntity;

/**
 * Each agency's accountability record: its reports, the contests against them and how they ended, and its
 * refused reports. An agency whose overturns or refusals cross the configured thresholds is flagged.
 */
@ApplicationScoped
public class AgencyRecords {

    @Inject
    AgencyCounts counts;

    @Inject
    RefusalCounts refusals;

    @Inject
    AccountabilityConfig config;

    @Transactional(Transactional.TxType.SUPPORTS)
    public AgencyRecord of(String agencyId, Instant from, Instant to) {
        if (agencyId.isEmpty()) {
            throw Refusal.invalid("agency_id", "required");
        }
        if (AgencyEntity.findByIdOptional(agencyId).isEmpty()) {
            throw Refusal.notFound("no agency " + agencyId);
        }
        AgencyCounts.Counts counts = this.counts.of(agencyId, from, to);
        long accepted = counts.reportsAccepted();
        long overturned = counts.contestsOverturned();
        Map<ProtectedGround, Long> grounds = refusals.protectedGrounds(agencyId, from, to);
        long outOfScope = refusals.outOfScope(agencyId, from, to);
        double rate = counts.overturnRate();

        List<AgencyRecord.Flag> flags = new ArrayList<>();
        if (accepted >= config.minReportsForRate() && rate > config.maxOverturnRate()) {
            flags.add(AgencyRecord.Flag.OVERTURN_RATE);
        }
        if (grounds.values().stream().mapToLong(Long::longValue).sum() > config.maxProtectedGroundRefusals()) {
            flags.add(AgencyRecord.Flag.PROTECTED_GROUND_REFUSALS);
        }
        if (outOfScope > config.maxOutOfScopeRefusals()) {
            flags.add(AgencyRecord.Flag.OUT_OF_SCOPE_REFUSALS);
        }
        if (counts.withdrawnWhileContested() > config.maxWithdrawnWhileContested()) {
            flags.add(AgencyRecord.Flag.WITHDRAWN_WHILE_CONTESTED);
        }
        return new AgencyRecord(agencyId, from, to, accepted, counts.reportsWithdrawn(),
                counts.withdrawnWhileContested(), counts.contestsOpened(), counts.contestsUpheld(), overturned,
                counts.contestsOpen(), grounds, outOfScope, rate, List.copyOf(flags));
    }
}
