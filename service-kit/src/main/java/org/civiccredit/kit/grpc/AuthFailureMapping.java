package org.civiccredit.kit.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.quarkus.grpc.auth.AuthExceptionHandler;
import io.quarkus.grpc.auth.AuthExceptionHandlerProvider;
import io.quarkus.security.AuthenticationException;
import io.quarkus.security.UnauthorizedException;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

/**
 * Maps security failures on gRPC calls to the statuses clients expect: a missing or unverifiable token is
 * UNAUTHENTICATED, a verified caller without the required role is PERMISSION_DENIED. Out of the box Quarkus
 * reports both as PERMISSION_DENIED. Descriptions stay generic so no token detail leaks.
 */
@Singleton
@Alternative
@Priority(1)
public class AuthFailureMapping implements AuthExceptionHandlerProvider {

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 1;
    }

    @Override
    public <ReqT, RespT> AuthExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> serverCall, Metadata metadata) {
        return new AuthExceptionHandler<>(listener, serverCall, metadata) {
            @Override
            protected void handleException(Throwable t, ServerCall<ReqT, RespT> call, Metadata trailers) {
                if (handlesException(t)) {
                    call.close(transformToStatusException(t).getStatus(), trailers);
                } else {
                    super.handleException(t, call, trailers);
                }
            }
        };
    }

    @Override
    public boolean handlesException(Throwable t) {
        return t instanceof AuthenticationException || t instanceof SecurityException;
    }

    @Override
    public StatusException transformToStatusException(Throwable t) {
        return statusOf(t).asException();
    }

    static Status statusOf(Throwable t) {
        if (t instanceof AuthenticationException || t instanceof UnauthorizedException) {
            return Status.UNAUTHENTICATED.withDescription("a valid bearer token is required");
        }
        return Status.PERMISSION_DENIED.withDescription("the caller's role does not allow this call");
    }
}
