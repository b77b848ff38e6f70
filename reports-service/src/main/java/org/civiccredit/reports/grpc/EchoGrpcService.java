package org.civiccredit.reports.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import org.civiccredit.api.common.v1.EchoRequest;
import org.civiccredit.api.common.v1.EchoResponse;
import org.civiccredit.api.common.v1.EchoService;
import org.civiccredit.kit.error.Refusal;

/** The bare authenticated round trip, the baseline of the performance scenarios: no database, no cache. */
@GrpcService
@Authenticated
public class EchoGrpcService implements EchoService {

    private static final int MAX_PAYLOAD = 64 * 1024;

    @Override
    public Uni<EchoResponse> echo(EchoRequest request) {
        if (request.getPayload().size() > MAX_PAYLOAD) {
            return Uni.createFrom().failure(Refusal.invalid("payload", "at most 64 KiB"));
        }
        return Uni.createFrom().item(EchoResponse.newBuilder().setPayload(request.getPayload()).build());
    }
}
