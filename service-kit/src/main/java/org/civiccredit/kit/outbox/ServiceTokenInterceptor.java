package org.civiccredit.kit.outbox;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Puts this service's bearer token on its calls to scoring-service and rewards-service. */
@ApplicationScoped
public class ServiceTokenInterceptor implements ClientInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Inject
    ServiceTokens tokens;

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
            CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<RespT> listener, Metadata headers) {
                headers.put(AUTHORIZATION, "Bearer " + tokens.awaitTokens().getAccessToken());
                super.start(listener, headers);
            }
        };
    }
}
