package org.civiccredit.rewards.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import org.civiccredit.api.rewards.v1.GetWalletRequest;
import org.civiccredit.api.rewards.v1.IssueRedeemTokenRequest;
import org.civiccredit.api.rewards.v1.RedeemToken;
import org.civiccredit.api.rewards.v1.Wallet;
import org.civiccredit.api.rewards.v1.WalletServiceGrpc;
import org.civiccredit.rewards.api.WalletApi;

/**
 * gRPC adapter of WalletService: a participant reads their own wallet and issues one-time redeem tokens. The
 * participant HTTP API answers the same calls through the same {@link WalletApi}.
 */
@GrpcService
@Authenticated
public class WalletGrpcService extends WalletServiceGrpc.WalletServiceImplBase {

    @Inject
    WalletApi api;

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void getWallet(GetWalletRequest request, StreamObserver<Wallet> response) {
        response.onNext(api.getWallet(request));
        response.onCompleted();
    }

    @Override
    @Blocking
    @RolesAllowed("participant")
    public void issueRedeemToken(IssueRedeemTokenRequest request, StreamObserver<RedeemToken> response) {
        response.onNext(api.issueRedeemToken(request));
        response.onCompleted();
    }
}
