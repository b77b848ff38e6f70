package org.civiccredit.rewards.domain;

import java.time.Instant;
import java.util.List;

/** Everything rewards-service holds about one participant (GDPR Art. 15). */
public record ParticipantExport(WalletView wallet, List<Movement> movements, List<Redemption> redemptions,
        List<Instant> openTokensExpireAt, String subject, Instant registeredAt) {
}
