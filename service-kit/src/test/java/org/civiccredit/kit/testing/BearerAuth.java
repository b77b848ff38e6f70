package org.civiccredit.kit.testing;

import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.quarkus.grpc.GrpcClientUtils;

/** Attaches an {@code authorization} header to a gRPC stub, as a partner's client would. */
public final class BearerAuth {

    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private BearerAuth() {
    }

    public static <S extends AbstractStub<S>> S as(S stub, String token) {
        return withHeader(stub, "Bearer " + token);
    }

    /** Any raw header value, e.g. a Basic credential or garbage, to test refusals. */
    public static <S extends AbstractStub<S>> S withHeader(S stub, String authorization) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, authorization);
        return GrpcClientUtils.attachHeaders(stub, headers);
    }

    public static Metadata headers(String token) {
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(AUTHORIZATION, "Bearer " + token);
        }
        return headers;
    }
}
