package org.civiccredit.scoring.grpc;

import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.civiccredit.api.rewards.v1.AwardLot;
import org.civiccredit.api.rewards.v1.AwardPointsBatchRequest;
import org.civiccredit.api.rewards.v1.AwardPointsBatchResponse;
import org.civiccredit.api.rewards.v1.AwardPointsRequest;
import org.civiccredit.api.rewards.v1.AwardPointsResult;
import org.civiccredit.api.rewards.v1.FreezeAwardRequest;
import org.civiccredit.api.rewards.v1.ReleaseAwardRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardRequest;
import org.civiccredit.api.rewards.v1.ReverseAwardResponse;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc;
import org.civiccredit.kit.testing.BearerAuth;

/**
 * A stand-in for rewards-service's award RPCs on a free port, recording every call with its bearer token. It
 * refuses the first FreezeAward of each report with UNIMPLEMENTED (as rewards-service may, until its own work
 * lands), so the relay's retry, and the order it keeps, show.
 */
public class FakeRewards implements QuarkusTestResourceLifecycleManager {

    /** One call received: the RPC, its report, its bearer token, and whether it was acknowledged. */
    public record Call(String rpc, String reportId, String token, boolean acknowledged) {
    }

    public static final BlockingQueue<Call> CALLS = new LinkedBlockingQueue<>();

    /** The report ids of each AwardPointsBatch call (its awards are also in {@link #CALLS}, as AwardPoints). */
    public static final BlockingQueue<List<String>> BATCHES = new LinkedBlockingQueue<>();

    private static final io.grpc.Context.Key<String> TOKEN = io.grpc.Context.key("token");
    private static final Set<String> REFUSED_ONCE = ConcurrentHashMap.newKeySet();

    private Server server;

    @Override
    public Map<String, String> start() {
        ServerInterceptor tokens = new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                String authorization = headers.get(BearerAuth.AUTHORIZATION);
                String token = authorization == null ? "" : authorization.replaceFirst("^Bearer ", "");
                return Contexts.interceptCall(io.grpc.Context.current().withValue(TOKEN, token), call, headers, next);
            }
        };
        try {
            server = ServerBuilder.forPort(0).addService(ServerInterceptors.intercept(new Awards(), tokens)).build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // In test mode a gRPC client connects to its test-port.
        return Map.of("quarkus.grpc.clients.rewards.test-port", Integer.toString(server.getPort()),
                "quarkus.grpc.clients.rewards.host", "127.0.0.1");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    private static final class Awards extends RewardsInternalServiceGrpc.RewardsInternalServiceImplBase {

        @Override
        public void awardPoints(AwardPointsRequest request, StreamObserver<AwardLot> response) {
            acknowledge("AwardPoints", request.getReportId(), response, AwardLot.getDefaultInstance());
        }

        @Override
        public void awardPointsBatch(AwardPointsBatchRequest request,
                StreamObserver<AwardPointsBatchResponse> response) {
            BATCHES.add(request.getAwardsList().stream().map(AwardPointsRequest::getReportId).toList());
            AwardPointsBatchResponse.Builder answer = AwardPointsBatchResponse.newBuilder();
            for (AwardPointsRequest award : request.getAwardsList()) {
                CALLS.add(new Call("AwardPoints", award.getReportId(), TOKEN.get(), true));
                answer.addResults(AwardPointsResult.newBuilder().setLot(AwardLot.getDefaultInstance()));
            }
            response.onNext(answer.build());
            response.onCompleted();
        }

        @Override
        public void freezeAward(FreezeAwardRequest request, StreamObserver<AwardLot> response) {
            if (REFUSED_ONCE.add(request.getReportId())) {
                CALLS.add(new Call("FreezeAward", request.getReportId(), TOKEN.get(), false));
                response.onError(Status.UNIMPLEMENTED.withDescription("not built yet").asRuntimeException());
                return;
            }
            acknowledge("FreezeAward", request.getReportId(), response, AwardLot.getDefaultInstance());
        }

        @Override
        public void releaseAward(ReleaseAwardRequest request, StreamObserver<AwardLot> response) {
            acknowledge("ReleaseAward", request.getReportId(), response, AwardLot.getDefaultInstance());
        }

        @Override
        public void reverseAward(ReverseAwardRequest request, StreamObserver<ReverseAwardResponse> response) {
            acknowledge("ReverseAward", request.getReportId(), response, ReverseAwardResponse.getDefaultInstance());
        }

        private static <T> void acknowledge(String rpc, String reportId, StreamObserver<T> response, T result) {
            CALLS.add(new Call(rpc, reportId, TOKEN.get(), true));
            response.onNext(result);
            response.onCompleted();
        }
    }
}
