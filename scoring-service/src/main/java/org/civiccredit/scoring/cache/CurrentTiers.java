package org.civiccredit.scoring.cache;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import org.civiccredit.scoring.domain.Tiers;
import org.civiccredit.scoring.service.RuleTables;

/**
 * This instance's copy of the current rule table's tiers, so that no score needs a query for its tiers: cache
 * hits, GetScore misses, every change of a score and the expiry sweep place scores in these. Updated when this
 * instance publishes a table (after its commit, before the publishing call returns), when another instance
 * announces one on the channel (normally milliseconds after its commit), and by a periodic check every ten
 * seconds for an announcement that was lost (and after the subscription is renewed); it only ever moves
 * forward. Until a table published elsewhere is known here, scores computed here are placed in the previous
 * table's tiers and carry its version, so every reader that knows the newer table re-places them.
 */
@ApplicationScoped
public class CurrentTiers {

    @Inject
    RuleTables ruleTables;

    private volatile Tiers tiers;

    /** The newest tiers known here (loaded from PostgreSQL on first use). */
    public Tiers get() {
        Tiers known = tiers;
        return known != null ? known : reload().tiers();
    }

    /** The newest tiers known here, or null before they were first loaded (never blocks). */
    public Tiers known() {
        return tiers;
    }

    /** Outcome of a reload: the tiers now current here, and whether they are newer than before. */
    public record Reload(Tiers tiers, boolean changed) {
    }

    /** Reads the current tiers from PostgreSQL (blocking). */
    @ActivateRequestContext
    public Reload reload() {
        Tiers loaded = ruleTables.currentTiers();
        boolean changed = update(loaded);
        return new Reload(tiers, changed);
    }

    /** Takes {@code newer} if it belongs to a newer rule table; returns whether it did. */
    public synchronized boolean update(Tiers newer) {
        if (tiers == null || newer.ruleTableVersion() > tiers.ruleTableVersion()) {
            tiers = newer;
            return true;
        }
        return false;
    }
}
