package org.civiccredit.kit.grpc;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Answers a unary gRPC call whose work blocks, with one hand-over to a worker thread and one back, for a method that
 * is not {@code @Blocking}.
 *
 * <p>Quarkus runs a {@code @Blocking} method's call on a worker thread event by event: starting the call, its
 * readiness, its message, its half-close and its completion are each handed from the event loop to a worker thread
 * and back, one after the other, four or five times per unary call, and every hand-over wakes a parked thread. Called
 * from such a method's event loop instead (it is then not {@code @Blocking}; its {@code @RolesAllowed} check has
 * already run there), this runs the work on a worker thread once, in the call's Vert.x context, so the call's request
 * context, identity and Hibernate session are the ones a {@code @Blocking} method would have, and replies on the
 * event loop: the work's result, or the status {@link GrpcErrorMapping} gives its exception.
 */
@ApplicationScoped
public class WorkerCalls {

    private static final Logger LOG = Logger.getLogger(WorkerCalls.class);

    @Inject
    GrpcErrorMapping errors;

    private final LongAdder handedOver = new LongAdder();

    /**
     * Runs {@code work} on a worker thread and replies with its result. Call it on the gRPC call's event loop, in
     * the method's body.
     *
     * @throws IllegalStateException when not called on a Vert.x thread (nothing is run)
     */
    public <T> void reply(StreamObserver<T> response, Callable<T> work) {
        Context context = Vertx.currentContext();
        if (context == null) {
            throw new IllegalStateException("WorkerCalls.reply must be called on a gRPC call's event loop");
        }
        handedOver.increment();
        context.executeBlocking(work, false).onComplete(done -> send(response, done.result(), done.cause()));
    }

    /**
     * Replies with what {@code answer} emits, or the status {@link GrpcErrorMapping} gives its failure, as
     * {@link #reply(StreamObserver, Callable)} does: for a method whose answer is already asynchronous (part of it on
     * the event loop, part handed over by the method itself). Hands nothing over.
     */
    public <T> void reply(StreamObserver<T> response, Uni<T> answer) {
        answer.subscribe().with(result -> send(response, result, null), failure -> send(response, null, failure));
    }

    /** Sends the result, or the failure's status when {@code failure} is set; a call closed meanwhile is left be. */
    private <T> void send(StreamObserver<T> response, T result, Throwable failure) {
        try {
            if (failure == null) {
                response.onNext(result);
                response.onCompleted();
            } else {
                response.onError(errors.toStatusRuntimeException(failure));
            }
        } catch (StatusRuntimeException | IllegalStateException closed) {
            // The client cancelled the call, or its deadline passed, while the work ran; the work is done.
            LOG.debugf("call closed before its reply: %s", closed.getMessage());
        }
    }

    /** How many calls were handed to a worker thread since the start. */
    public long handedOver() {
        return handedOver.sum();
    }
}
