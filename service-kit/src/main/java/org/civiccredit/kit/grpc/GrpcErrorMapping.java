package org.civiccredit.kit.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import io.quarkus.grpc.auth.AuthExceptionHandlerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.UUID;
import org.civiccredit.kit.error.Refusal;
import org.jboss.logging.Logger;

/**
 * The one place where exceptions become gRPC statuses: statuses pass through, security failures go to
 * {@link AuthFailureMapping}, domain {@link Refusal}s carry their code and details (BadRequest field
 * violations, ErrorInfo reason), and anything unexpected becomes INTERNAL with an error id only, its detail
 * logged here rather than sent to the caller.
 */
@ApplicationScoped
public class GrpcErrorMapping implements ExceptionHandlerProvider {

    /** ErrorInfo domain of every Civic Credit refusal. */
    public static final String ERROR_DOMAIN = "civiccredit.org";

    private static final Logger LOG = Logger.getLogger(GrpcErrorMapping.class);

    @Inject
    AuthExceptionHandlerProvider auth;

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> serverCall, Metadata metadata) {
        return new ExceptionHandler<>(listener, serverCall, metadata) {
            @Override
            protected void handleException(Throwable t, ServerCall<ReqT, RespT> call, Metadata headers) {
                StatusRuntimeException mapped = toStatusRuntimeException(t);
                Metadata trailers = mapped.getTrailers() != null ? mapped.getTrailers() : new Metadata();
                try {
                    call.close(mapped.getStatus(), trailers);
                } catch (IllegalStateException alreadyClosed) {
                    LOG.debugf("call already closed while reporting %s", mapped.getStatus());
                }
            }
        };
    }

    @Override
    public Throwable transform(Throwable t) {
        return toStatusRuntimeException(t);
    }

    /** Maps any throwable to the status a client should see. */
    public StatusRuntimeException toStatusRuntimeException(Throwable t) {
        if (t instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (t instanceof StatusException se) {
            return new StatusRuntimeException(se.getStatus(), se.getTrailers());
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof Refusal refusal) {
                return toStatus(refusal);
            }
            if (auth.handlesException(c)) {
                StatusException se = auth.transformToStatusException(c);
                return new StatusRuntimeException(se.getStatus(), se.getTrailers());
            }
            if (c.getCause() == c) {
                break;
            }
        }
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(t, "internal error %s", errorId);
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(Code.INTERNAL_VALUE)
                .setMessage("internal error; error id " + errorId)
                .build());
    }

    static StatusRuntimeException toStatus(Refusal refusal) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(codeOf(refusal.kind()).getNumber())
                .setMessage(refusal.getMessage());
        if (!refusal.violations().isEmpty()) {
            BadRequest.Builder badRequest = BadRequest.newBuilder();
            refusal.violations().forEach(v -> badRequest.addFieldViolations(
                    BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description())));
            status.addDetails(Any.pack(badRequest.build()));
        }
        status.addDetails(Any.pack(ErrorInfo.newBuilder()
                .setDomain(ERROR_DOMAIN)
                .setReason(refusal.reason())
                .build()));
        return StatusProto.toStatusRuntimeException(status.build());
    }

    static Code codeOf(Refusal.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Code.NOT_FOUND;
            case ALREADY_EXISTS -> Code.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Code.FAILED_PRECONDITION;
            case PERMISSION_DENIED -> Code.PERMISSION_DENIED;
        };
    }
}
