package org.civiccredit.rewards.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.UUID;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.RedeemToken;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc;
import org.civiccredit.kit.error.Refusal;
import org.civiccredit.kit.idempotency.IdempotentCalls;
import org.civiccredit.kit.identity.Caller;
import org.civiccredit.rewards.service.Participants;
import org.civiccredit.rewards.service.Redemptions;
import org.civiccredit.rewards.service.Wallets;

/** gRPC adapter of WalletService: a participant reads their own wallet and issues one-time redeem tokens. */
@GrpcService
@Authenticated
public class WalletGrpcService extends WalletServiceGrpc.WalletServiceImplBase {

    private static final int DEFAULT_MOVEMENTS = 20;
    private static final int MAX_MOVEMENTS = 200;

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

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void getWallet(GetWalletRequest request, StreamObserver<Wallet> response) {
        int limit = request.getRecentMovementsLimit();
        if (limit < 0 || limit > MAX_MOVEMENTS) {
            throw Refusal.invalid("recent_movements_limit",
                    "0 (default " + DEFAULT_MOVEMENTS + ") to " + MAX_MOVEMENTS);
        }
        UUID participantId = participants.bySubject(caller.subject());
        response.onNext(RewardsMapping.wallet(wallets.view(participantId, request.getIncludeClosedLots(),
                limit == 0 ? DEFAULT_MOVEMENTS : limit, Instant.now())));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void issueRedeemToken(IssueRedeemTokenRequest request, StreamObserver<RedeemToken> response) {
        IdempotentCalls.requireValidKey(request.getIdempotencyKey());
        UUID participantId = participants.bySubject(caller.subject());
        response.onNext(idempotent.onceForCaller("IssueRedeemToken", request.getIdempotencyKey(), request,
                RedeemToken.parser(), () -> RewardsMapping.token(
                        redemptions.issueToken(participantId, request.getOfferId(), Instant.now()))));
        response.onCompleted();
    }
}
