package org.civiccredit.scoring.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.civiccredit.api.scoring.v1.ScoreUpdate;
import org.civiccredit.scoring.cache.ScoreFanOut;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.Score;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.domain.ScoreChangeCause;
import org.civiccredit.scoring.domain.Tiers;

/**
 * One StreamScore call: sends each newer version of the participant's score once, in version order; while
 * the client is not ready for more, only the newest update waits (updates coalesce, each one is the full
 * state). Ends with FAILED_PRECONDITION when the participant is erased, UNAUTHENTICATED when the token
 * expires and UNAVAILABLE when the instance stops. Called from event loops and worker threads: every entry
 * point is synchronized, and none blocks.
 */
final class ScoreStream implements ScoreFanOut.Listener {

    private final ServerCallStreamObserver<ScoreUpdate> observer;
    private final UnaryOperator<LiveScore> inCurrentTiers;
    private final Supplier<StatusRuntimeException> notEnrolled;
    private Runnable cleanup = () -> { };
    /** The highest version the client has: its resume point, then what was sent (or waits in pending). */
    private long sentVersion;
    /** The newest score known, sent or not: what new tiers are applied to. */
    private LiveScore latest;
    private ScoreUpdate pending;
    private boolean ended;

    ScoreStream(ServerCallStreamObserver<ScoreUpdate> observer, long resumeAfterVersion,
            UnaryOperator<LiveScore> inCurrentTiers, Supplier<StatusRuntimeException> notEnrolled) {
        this.observer = observer;
        this.sentVersion = resumeAfterVersion;
        this.inCurrentTiers = inCurrentTiers;
        this.notEnrolled = notEnrolled;
    }

    /** What to undo when the stream ends, however it ends. */
    synchronized void onEnd(Runnable cleanup) {
        this.cleanup = cleanup;
        if (ended) {
            cleanup.run();
        }
    }

    @Override
    public synchronized void changed(ScoreChange change) {
        if (ended) {
            return;
        }
        if (change.erasure()) {
            end(notEnrolled.get());
            return;
        }
        LiveScore score = inCurrentTiers.apply(change.score());
        if (latest == null || score.version() > latest.version()) {
            latest = score;
        }
        if (score.version() <= sentVersion) {
            return;
        }
        sentVersion = score.version();
        send(ScoreMapping.toUpdate(score.score(), change.cause(), change.reportId(), change.eventId()));
    }

    @Override
    public synchronized void tiersChanged(Tiers tiers) {
        if (ended || latest == null || tiers.ruleTableVersion() <= latest.ruleTableVersion()) {
            return;
        }
        LiveScore placed = latest.withTiers(tiers);
        boolean moved = !sameTier(placed.score(), latest.score());
        latest = placed;
        if (moved) {
            send(ScoreMapping.toUpdate(placed.score(), ScoreChangeCause.TIERS_CHANGED, "", ""));
        }
    }

    @Override
    public synchronized void shuttingDown() {
        end(Status.UNAVAILABLE.withDescription("the server is stopping; reconnect with resume_after_version")
                .asRuntimeException());
    }

    synchronized void tokenExpired() {
        end(Status.UNAUTHENTICATED.withDescription("the access token expired; reconnect with a fresh one")
                .asRuntimeException());
    }

    /** The client can take more: sends what waited. */
    synchronized void ready() {
        if (!ended && pending != null && observer.isReady()) {
            ScoreUpdate next = pending;
            pending = null;
            observer.onNext(next);
        }
    }

    /** The client went away. */
    synchronized void cancelled() {
        if (!ended) {
            ended = true;
            pending = null;
            cleanup.run();
        }
    }

    private void send(ScoreUpdate update) {
        if (!observer.isReady()) {
            pending = update;
            return;
        }
        pending = null;
        try {
            observer.onNext(update);
        } catch (RuntimeException e) {
            cancelled();
        }
    }

    private void end(StatusRuntimeException status) {
        if (ended) {
            return;
        }
        ended = true;
        pending = null;
        cleanup.run();
        try {
            observer.onError(status);
        } catch (RuntimeException alreadyClosed) {
            // the call ended on its own meanwhile
        }
    }

    private static boolean sameTier(Score a, Score b) {
        return Objects.equals(a.tier(), b.tier()) && a.nextTierName().equals(b.nextTierName())
                && a.pointsToNextTier() == b.pointsToNextTier();
    }
}
