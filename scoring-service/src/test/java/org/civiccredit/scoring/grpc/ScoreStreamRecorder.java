package org.civiccredit.scoring.grpc;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.civiccredit.api.scoring.v1.ScoreUpdate;
import org.civiccredit.api.scoring.v1.StreamScoreRequest;
import org.civiccredit.kit.testing.BearerAuth;

/** A participant's StreamScore call as their app makes it, recording each update with when it arrived. */
final class ScoreStreamRecorder implements ClientResponseObserver<StreamScoreRequest, ScoreUpdate>, AutoCloseable {

    /** An update and the System.nanoTime() at which it arrived. */
    record Received(ScoreUpdate update, long atNanos) {
    }

    private final BlockingQueue<Received> updates = new LinkedBlockingQueue<>();
    private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    private ClientCallStreamObserver<StreamScoreRequest> call;

    private ScoreStreamRecorder() {
    }

    static ScoreStreamRecorder open(Channel channel, String token, long resumeAfterVersion) {
        ScoreStreamRecorder recorder = new ScoreStreamRecorder();
        BearerAuth.as(ScoreServiceGrpc.newStub(channel), token).streamScore(
                StreamScoreRequest.newBuilder().setResumeAfterVersion(resumeAfterVersion).build(), recorder);
        return recorder;
    }

    /** The next update, or an AssertionError after {@code millis}. */
    Received next(long millis) throws InterruptedException {
        Received r = updates.poll(millis, TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no score update within " + millis + " ms"
                    + (ended.isDone() ? "; the stream ended: " + ended.getNow(null) : ""));
        }
        return r;
    }

    /** Every update arriving within {@code millis}. */
    List<ScoreUpdate> drain(long millis) throws InterruptedException {
        List<ScoreUpdate> all = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        Received r;
        while ((r = updates.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
            all.add(r.update());
        }
        return all;
    }

    /** How the stream ended (null when completed normally), waiting at most {@code millis}. */
    StatusRuntimeException endedWith(long millis) throws Exception {
        Throwable t = ended.get(millis, TimeUnit.MILLISECONDS);
        return (StatusRuntimeException) t;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<StreamScoreRequest> requestStream) {
        this.call = requestStream;
    }

    @Override
    public void onNext(ScoreUpdate update) {
        updates.add(new Received(update, System.nanoTime()));
    }

    @Override
    public void onError(Throwable t) {
        ended.complete(t);
    }

    @Override
    public void onCompleted() {
        ended.complete(null);
    }

    @Override
    public void close() {
        if (!ended.isDone()) {
            call.cancel("test done", null);
        }
    }
}
