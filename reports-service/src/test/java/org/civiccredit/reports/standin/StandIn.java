package org.civiccredit.reports.standin;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC server on a fixed port standing in for another Civic Credit service in @QuarkusTest runs, where
 * scoring-service and rewards-service do not run. Like the real services it accepts only calls that carry a
 * real Keycloak token with role {@code service} (checked by {@link ServiceTokenCheck}), and it remembers the
 * method and client id of each verified call so a test can show a call was made with this service's own token.
 * While it runs, the outbox relay's deliveries reach it too and are answered UNIMPLEMENTED (retried later).
 */
public final class StandIn implements AutoCloseable {

    private final Server server;
    private final List<String> verifiedCallers = new CopyOnWriteArrayList<>();

    private StandIn(int port, BindableService... services) {
        ServerBuilder<?> builder = ServerBuilder.forPort(port);
        ServiceTokenCheck check = new ServiceTokenCheck(verifiedCallers);
        for (BindableService service : services) {
            builder.addService(ServerInterceptors.intercept(service, check));
        }
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("stand-in cannot listen on port " + port, e);
        }
    }

    /**
     * Starts serving {@code services} on {@code port} and lets {@code clientChannel} (the service's own channel
     * to that port) reconnect at once rather than after the backoff its earlier failed attempts built up.
     */
    public static StandIn start(int port, ManagedChannel clientChannel, BindableService... services) {
        StandIn standIn = new StandIn(port, services);
        clientChannel.resetConnectBackoff();
        return standIn;
    }

    /** Every call whose token verified, as {@code "<method> by <Keycloak client id>"}, in order. */
    public List<String> verifiedCallers() {
        return verifiedCallers;
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
