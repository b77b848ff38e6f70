package org.civiccredit.scoring.relay;

import org.civiccredit.kit.outbox.OutboxRoute;

/** What an outbox row asks of which service; the payload is the request message of that RPC. */
public enum OutboxKind implements OutboxRoute {
    REWARDS_AWARD_POINTS,
    REWARDS_FREEZE_AWARD,
    REWARDS_RELEASE_AWARD,
    REWARDS_REVERSE_AWARD;

    @Override
    public String target() {
        return "rewards";
    }
}
