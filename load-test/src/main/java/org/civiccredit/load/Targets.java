package org.civiccredit.load;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * gRPC channels to the three services (loopback only). Each service gets a few HTTP/2 connections used in
 * turn, because a server caps the concurrent streams of one connection (100 by default) and the scenarios run
 * up to a few hundred calls at once.
 */
public final class Targets implements AutoCloseable {

    /** The services by name, as {@code scripts/up.sh} starts them. */
    public enum Service { REPORTS, SCORING, REWARDS }

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private final Map<Service, List<ManagedChannel>> channels;
    private final AtomicInteger turn = new AtomicInteger();

    /** @param addresses host:port per service; every host must be loopback */
    public Targets(Map<Service, String> addresses, int connectionsPerService) {
        channels = new java.util.EnumMap<>(Service.class);
        addresses.forEach((service, address) -> {
            int colon = address.lastIndexOf(':');
            String host = Loopback.require(address.substring(0, colon));
            int port = Integer.parseInt(address.substring(colon + 1));
            List<ManagedChannel> list = new ArrayList<>();
            for (int i = 0; i < connectionsPerService; i++) {
                // directExecutor: a reply's callbacks (recording its latency, starting a session's next call)
                // run on the transport's event loop instead of being handed to another thread, which cost the
                // driver a thread switch per call on cores it shares with the services. No callback blocks.
                list.add(ManagedChannelBuilder.forAddress(host, port).usePlaintext().directExecutor()
                        .maxInboundMessageSize(16 * 1024 * 1024).build());
            }
            channels.put(service, list);
        });
    }

    /** A channel to {@code service} that sends {@code token} as its bearer token on every call. */
    public Channel as(Service service, RefreshingToken token) {
        List<ManagedChannel> list = channels.get(service);
        ManagedChannel channel = list.get(Math.floorMod(turn.getAndIncrement(), list.size()));
        return ClientInterceptors.intercept(channel, bearer(token));
    }

    private static ClientInterceptor bearer(RefreshingToken token) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                    Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(AUTHORIZATION, "Bearer " + token.get());
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    @Override
    public void close() throws InterruptedException {
        for (List<ManagedChannel> list : channels.values()) {
            for (ManagedChannel c : list) {
                c.shutdown();
            }
            for (ManagedChannel c : list) {
                c.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
