package org.civiccredit.kit.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Calls every method of the given services with an empty request and checks the status each one answers, so
 * that an RPC added later without its security annotation fails a test instead of going out open.
 */
public final class EveryRpc {

    private EveryRpc() {
    }

    /** Every method of every service answers {@code expected} when called with {@code headers}. */
    public static void answer(Status.Code expected, Channel channel, Metadata headers,
            ServiceDescriptor... services) {
        List<String> wrong = new ArrayList<>();
        int called = 0;
        for (ServiceDescriptor service : services) {
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                Status.Code got = call(channel, headers, method);
                called++;
                if (got != expected) {
                    wrong.add(method.getFullMethodName() + " answered " + got);
                }
            }
        }
        assertThat(called).as("methods called").isPositive();
        assertThat(wrong).as("methods not answering " + expected).isEmpty();
    }

    /** One unary call with a request already in wire format; returns the response bytes. */
    public static byte[] callRaw(Channel channel, Metadata headers, MethodDescriptor<?, ?> method, byte[] request) {
        MethodDescriptor<byte[], byte[]> raw = method.toBuilder(RawBytes.INSTANCE, RawBytes.INSTANCE).build();
        Channel authed = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        return ClientCalls.blockingUnaryCall(authed, raw, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                request);
    }

    private static Status.Code call(Channel channel, Metadata headers, MethodDescriptor<?, ?> method) {
        MethodDescriptor<byte[], byte[]> raw = method.toBuilder(RawBytes.INSTANCE, RawBytes.INSTANCE).build();
        Channel authed = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
        try {
            if (raw.getType() == MethodDescriptor.MethodType.UNARY) {
                ClientCalls.blockingUnaryCall(authed, raw, options, new byte[0]);
            } else {
                Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(authed, raw, options, new byte[0]);
                it.hasNext();
            }
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
