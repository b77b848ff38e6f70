package org.civiccredit.scoring.cache;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import org.civiccredit.scoring.domain.Tiers;
import org.civiccredit.scoring.service.RuleTables;

/**
 * This instance's copy of the current rule table's tiers, so that a cache hit places a score in the right tier
 * without asking PostgreSQL. Updated when this instance publishes a table, when another instance announces
 * one on the channel, and by a periodic check for an announcement that was lost; it only ever moves forward.
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
