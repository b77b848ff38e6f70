package org.civiccredit.rewards.domain;

import java.util.Objects;
import java.util.UUID;

/** One ledger account: its kind and owner (participant id, merchant id, or empty for the programme's accounts). */
public record Account(AccountKind kind, String owner) {

    public Account {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(owner);
    }

    public static Account issuance() {
        return new Account(AccountKind.PROGRAM_ISSUANCE, "");
    }

    public static Account expired() {
        return new Account(AccountKind.PROGRAM_EXPIRED, "");
    }

    public static Account pending(UUID participantId) {
        return new Account(AccountKind.PARTICIPANT_PENDING, participantId.toString());
    }

    public static Account available(UUID participantId) {
        return new Account(AccountKind.PARTICIPANT_AVAILABLE, participantId.toString());
    }

    public static Account held(UUID participantId) {
        return new Account(AccountKind.PARTICIPANT_HELD, participantId.toString());
    }

    public static Account settlement(String merchantId) {
        return new Account(AccountKind.MERCHANT_SETTLEMENT, merchantId);
    }
}
