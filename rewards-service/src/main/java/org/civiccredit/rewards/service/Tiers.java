package org.civiccredit.rewards.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.civiccredit.rewards.config.RewardsConfig;
import org.civiccredit.rewards.domain.Tier;
import org.civiccredit.rewards.scoring.ScoringTiers;

/**
 * The tiers tier-gated offers are checked against, as scoring-service has them now: the current rule table's
 * tiers (reused for a few seconds, and read again whenever a name or a participant's tier is not among them, so a
 * newly published table is seen at once) and each participant's tier (read on every check, never kept). If
 * scoring-service cannot answer, the check fails with UNAVAILABLE rather than assume a tier.
 */
@ApplicationScoped
public class Tiers {

    /** The thresholds a tier check compares, both from the same rule table; empty when there is no such tier. */
    public record Standing(OptionalLong minimumThreshold, OptionalLong participantThreshold) {
    }

    private record Table(Map<String, Long> thresholds, long readAt) {
        OptionalLong threshold(String name) {
            Long t = name == null ? null : thresholds.get(name);
            return t == null ? OptionalLong.empty() : OptionalLong.of(t);
        }

        boolean has(Tier tier) {
            return threshold(tier.name()).equals(OptionalLong.of(tier.threshold()));
        }
    }

    @Inject
    ScoringTiers scoring;

    @Inject
    RewardsConfig config;

    private final AtomicReference<Table> current = new AtomicReference<>();

    /** Whether {@code name} is a tier of the current rule table. */
    public boolean known(String name) {
        return tableWhere(t -> t.threshold(name).isPresent()).threshold(name).isPresent();
    }

    /** The participant's tier and the offer's minimum tier, compared under the current rule table. */
    public Standing standing(UUID participantId, String minimumTierName) {
        Optional<Tier> tier = scoring.tierOf(participantId);
        Table table = tableWhere(t -> t.threshold(minimumTierName).isPresent() && tier.map(t::has).orElse(true));
        return new Standing(table.threshold(minimumTierName), tier.map(t -> OptionalLong.of(t.threshold()))
                .orElse(OptionalLong.empty()));
    }

    /** The kept table while it is fresh and {@code enough}; otherwise the table read from scoring-service now. */
    private Table tableWhere(Predicate<Table> enough) {
        Table table = current.get();
        if (table != null && System.nanoTime() - table.readAt() <= config.scoring().tierCache().toNanos()
                && enough.test(table)) {
            return table;
        }
        return read();
    }

    private Table read() {
        Table table = new Table(Map.copyOf(scoring.currentTiers()), System.nanoTime());
        current.set(table);
        return table;
    }
}
