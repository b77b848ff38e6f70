package org.civiccredit.rewards.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.RedeemToken;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.rewards.service.Participants;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.Wallets;

/**
 * WalletService's v1 calls, whatever the transport: the gRPC adapter and the participant HTTP API both answer
 * through these, so they validate, refuse, stay idempotent and are audited alike. The caller's token subject
 * decides whose wallet; no request names a participant.
 */
@ApplicationScoped
public class WalletApi {

    /** Recent movements returned when the request leaves the limit at 0. */
    public static final int DEFAULT_MOVEMENTS = 20;

    /** Most recent movements one request may ask for. */
    public static final int MAX_MOVEMENTS = 200;

    @Inject
    Wallets wallets;

    @Inject
    Redemptions redemptions;

    @Inject
    Participants participants;

    @Inject
    IdempotentCalls idempotent;

    @Inject
    Caller caller;

    /** The caller's wallet, caught up with time first. */
    public Wallet getWallet(GetWalletRequest request) {
        int limit = request.getRecentMovementsLimit();
        if (limit < 0 || limit > MAX_MOVEMENTS) {
            throw Refusal.invalid("recent_movements_limit",
                    "0 (default " + DEFAULT_MOVEMENTS + ") to " + MAX_MOVEMENTS);
        }
        UUID participantId = participants.bySubject(caller.subject());
        return RewardsMapping.wallet(wallets.view(participantId, request.getIncludeClosedLots(),
                limit == 0 ? DEFAULT_MOVEMENTS : limit, Instant.now()));
    }

    /** A one-time redeem token for the caller, once per idempotency key; bound to an offer when one is named. */
    public RedeemToken issueRedeemToken(IssueRedeemTokenRequest request) {
        IdempotentCalls.requireValidKey(request.getIdempotencyKey());
        String offerId = request.getOfferId();
        if (!offerId.isEmpty() && Redemptions.uuid(offerId).isEmpty()) {
            throw Refusal.invalid("offer_id", "an offer id (a UUID), or empty for a token usable for any offer");
        }
        UUID participantId = participants.bySubject(caller.subject());
        return idempotent.onceForCaller("IssueRedeemToken", request.getIdempotencyKey(), request,
                RedeemToken.parser(), () -> RewardsMapping.token(
                        redemptions.issueToken(participantId, offerId, Instant.now())));
    }
}
