package org.civiccredit.reports.relay;

/** What an outbox row asks of which service; the payload is the request message of that RPC. */
public enum OutboxKind {
    SCORING_REGISTER_PARTICIPANT("scoring"),
    SCORING_APPLY_REPORT("scoring"),
    SCORING_REVERSE_EVENT("scoring"),
    SCORING_ERASE_PARTICIPANT("scoring"),
    REWARDS_REGISTER_PARTICIPANT("rewards"),
    REWARDS_ERASE_PARTICIPANT("rewards");

    private final String target;

    OutboxKind(String target) {
        this.target = target;
    }

    public String target() {
        return target;
    }
}
