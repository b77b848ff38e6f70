package org.civiccredit.reports.standin;

import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.civiccredit.api.rewards.v1.ExportParticipantDataRequest;
import org.civiccredit.api.rewards.v1.GetPeriodTotalsRequest;
import org.civiccredit.api.rewards.v1.PointTotals;
import org.civiccredit.api.rewards.v1.RewardsDataExport;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc;
import org.civiccredit.api.rewards.v1.Wallet;

/**
 * rewards-service's internal calls that reports-service reads, answering what a test sets: the period totals
 * (for the transparency report) and a participant's export (a wallet of {@link #AVAILABLE} points). Other
 * calls answer UNIMPLEMENTED, which the outbox relay retries later.
 */
public final class RewardsStandIn extends RewardsInternalServiceGrpc.RewardsInternalServiceImplBase {

    /** The available balance of every exported wallet. */
    public static final long AVAILABLE = 17;

    private volatile PointTotals totals = PointTotals.getDefaultInstance();
    private final List<GetPeriodTotalsRequest> totalsAsked = new CopyOnWriteArrayList<>();

    /** What GetPeriodTotals answers from now on (with the period asked for). */
    public void answerTotals(long issued, long redeemed, long expired, long clawedBack) {
        totals = PointTotals.newBuilder().setIssued(issued).setRedeemed(redeemed).setExpired(expired)
                .setClawedBack(clawedBack).build();
    }

    /** Every GetPeriodTotals request received, in order. */
    public List<GetPeriodTotalsRequest> totalsAsked() {
        return totalsAsked;
    }

    @Override
    public void getPeriodTotals(GetPeriodTotalsRequest request, StreamObserver<PointTotals> response) {
        totalsAsked.add(request);
        response.onNext(totals.toBuilder().setPeriod(request.getPeriod()).build());
        response.onCompleted();
    }

    @Override
    public void exportParticipantData(ExportParticipantDataRequest request,
            StreamObserver<RewardsDataExport> response) {
        response.onNext(RewardsDataExport.newBuilder().setWallet(Wallet.newBuilder()
                .setParticipantId(request.getParticipantId()).setAvailable(AVAILABLE)).build());
        response.onCompleted();
    }
}
