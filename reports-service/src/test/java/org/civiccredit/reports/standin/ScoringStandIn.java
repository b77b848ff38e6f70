package org.civiccredit.reports.standin;

import io.grpc.stub.StreamObserver;
import org.civiccredit.api.scoring.v1.ExportParticipantDataRequest;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoringDataExport;
import org.civiccredit.api.scoring.v1.ScoringInternalServiceGrpc;

/**
 * scoring-service's export of a participant (a score of {@link #SCORE}), for tests of reports-service's
 * export; other calls answer UNIMPLEMENTED, which the outbox relay retries later.
 */
public final class ScoringStandIn extends ScoringInternalServiceGrpc.ScoringInternalServiceImplBase {

    /** The score of every exported participant. */
    public static final long SCORE = 42;

    @Override
    public void exportParticipantData(ExportParticipantDataRequest request,
            StreamObserver<ScoringDataExport> response) {
        response.onNext(ScoringDataExport.newBuilder().setScore(Score.newBuilder()
                .setParticipantId(request.getParticipantId()).setScore(SCORE)).build());
        response.onCompleted();
    }
}
