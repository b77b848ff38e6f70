package org.civiccredit.reports.relay;

import java.util.Arrays;
import org.civiccredit.kit.outbox.OutboxRoute;

/** What an outbox row asks of which service; the payload is the request message of that RPC. */
public enum OutboxKind implements OutboxRoute {
    SCORING_REGISTER_PARTICIPANT("scoring"),
    SCORING_APPLY_REPORT("scoring"),
    SCORING_REVERSE_EVENT("scoring"),
    SCORING_FREEZE_EVENT("scoring"),
    SCORING_UNFREEZE_EVENT("scoring"),
    SCORING_ERASE_PARTICIPANT("scoring"),
    REWARDS_REGISTER_PARTICIPANT("rewards"),
    REWARDS_ERASE_PARTICIPANT("rewards");

    private final String target;

    OutboxKind(String target) {
        this.target = target;
    }

    @Override
    public String target() {
        return target;
    }

    /** Every service these rows go to. */
    public static String[] targets() {
        return Arrays.stream(values()).map(OutboxKind::target).distinct().toArray(String[]::new);
    }
}
