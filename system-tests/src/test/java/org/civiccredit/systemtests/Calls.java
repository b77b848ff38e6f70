package org.civiccredit.systemtests;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Small helpers for driving the running services over gRPC. */
final class Calls {

    private Calls() {
    }

    static ManagedChannel channel(RunningSystem.Service s) {
        return ManagedChannelBuilder.forTarget(s.target()).usePlaintext().build();
    }

    /** The stub with a bearer token, as a partner's client sends it. */
    static <S extends AbstractStub<S>> S as(S stub, String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * Polls {@code probe} until it returns a value that is not null (a failing call counts as not yet),
     * for at most {@code limit}; then fails with the last answer.
     */
    static <T> T eventually(Duration limit, String what, Supplier<T> probe) {
        Instant deadline = Instant.now().plus(limit);
        Object last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
                last = "not yet";
            } catch (StatusRuntimeException e) {
                last = e.getStatus();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError(what + " did not happen within " + limit + "; last: " + last);
    }
}
