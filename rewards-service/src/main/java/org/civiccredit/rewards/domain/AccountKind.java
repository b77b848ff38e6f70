package org.civiccredit.rewards.domain;

/** Kinds of ledger account: the programme's two, a participant's three and a merchant's settlement account. */
public enum AccountKind {
    PROGRAM_ISSUANCE(false),
    PARTICIPANT_PENDING(true),
    PARTICIPANT_AVAILABLE(true),
    PARTICIPANT_HELD(true),
    MERCHANT_SETTLEMENT(false),
    PROGRAM_EXPIRED(false);

    private final boolean participant;

    AccountKind(boolean participant) {
        this.participant = participant;
    }

    /** Whether accounts of this kind belong to a participant. */
    public boolean participant() {
        return participant;
    }
}
