package org.civiccredit.rewards.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.Instant;
import org.civiccredit.api.rewards.v1.LedgerServiceGrpc;
import org.civiccredit.api.rewards.v1.VerifyLedgerRequest;
import org.civiccredit.api.rewards.v1.VerifyLedgerResponse;
import org.civiccredit.rewards.api.RewardsMapping;
import org.civiccredit.rewards.service.LedgerVerification;

/** gRPC adapter of LedgerService: admins verify that the double-entry ledger balances. */
@GrpcService
@Authenticated
public class LedgerGrpcService extends LedgerServiceGrpc.LedgerServiceImplBase {

    @Inject
    LedgerVerification verification;

    @Override
    @Blocking
    @RolesAllowed("admin")
    public void verifyLedger(VerifyLedgerRequest request, StreamObserver<VerifyLedgerResponse> response) {
        response.onNext(RewardsMapping.verification(verification.verify(Instant.now())));
        response.onCompleted();
    }
}
