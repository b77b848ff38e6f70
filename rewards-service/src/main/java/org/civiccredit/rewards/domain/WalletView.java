package org.civiccredit.rewards.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A participant's wallet: balances derived from the ledger, lots oldest first, movements newest first. */
public record WalletView(UUID participantId, long available, long pending, long held, List<AwardLot> lots,
        List<Movement> movements, Instant asOf) {
}
