package org.civiccredit.reports.grpc;

import io.grpc.stub.StreamObserver;

/** The one way a unary adapter answers: the value, then completion (errors go to the global mapping). */
final class Replies {

    private Replies() {
    }

    static <T> void reply(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }
}
