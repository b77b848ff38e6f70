package org.civiccredit.scoring.cache;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.Score;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.domain.ScoreChangeCause;
import org.civiccredit.scoring.domain.Tiers;
import org.civiccredit.scoring.service.Scores;
import org.jboss.logging.Logger;

/**
 * Live scores: read through the near cache in this process ({@link NearScores}) and the Redis cache, recomputed
 * from PostgreSQL (the truth) on a miss, an ended counting window, or while Redis is unavailable; and, once a
 * change's transaction has committed, cached and fanned out to the score streams of every instance. A change that
 * could not be cached is remembered and written again from PostgreSQL when Redis answers again; a crash in between
 * is repaired by the keeper's next pass ({@link LiveScoreKeeper}), which also keeps the entry of every registered
 * participant in the cache.
 */
@ApplicationScoped
public class LiveScores {

    private static final Logger LOG = Logger.getLogger(LiveScores.class);

    @Inject
    ScoreCache cache;

    @Inject
    NearScores near;

    @Inject
    Scores scores;

    @Inject
    CurrentTiers currentTiers;

    @Inject
    ScoreFanOut fanOut;

    @Inject
    ScoringConfig config;

    /** Reads answered from PostgreSQL (a miss, a fallback), since start. */
    private final LongAdder postgresReads = new LongAdder();

    /** Places for cache reads in flight on event loops, and their line (see {@link #liveAsync}). */
    private ReadPermits eventLoopReads;

    /** Changes whose cache write failed, newest per participant, waiting for Redis to answer again. */
    private final Map<String, ScoreChange> pendingRepairs = new ConcurrentHashMap<>();

    /** The key under which a transaction holds its changes until it commits (see {@link #changed}). */
    private static final Object HELD_CHANGES = new Object();

    @Inject
    TransactionSynchronizationRegistry transactions;

    private final LongAdder changeWrites = new LongAdder();
    private final LongAdder changesWritten = new LongAdder();

    /** The score of a registered, not erased participant at {@code now} (blocking). */
    public Optional<Score> score(String participantId, Instant now) {
        return live(participantId, now).map(LiveScore::score);
    }

    /** The live score of a registered, not erased participant at {@code now} (blocking). */
    @ActivateRequestContext
    public Optional<LiveScore> live(String participantId, Instant now) {
        boolean refill = cache.available();
        if (refill) {
            try {
                Tiers tiers = currentTiers.get();
                Answer answer = heldNow(participantId, now, tiers);
                if (answer.holds()) {
                    return answer.score();
                }
                answer = Answer.of(cache.read(participantId), now, tiers);
                if (answer.holds()) {
                    near.redisAnswered();
                    return answer.score();
                }
            } catch (ScoreCache.Unavailable e) {
                refill = false;
            }
        }
        return fromPostgres(participantId, now, refill);
    }

    /**
     * The live score as PostgreSQL has it, written back to Redis when {@code refill} (Redis answered, but not with
     * an entry that holds) (blocking).
     */
    @ActivateRequestContext
    Optional<LiveScore> fromPostgres(String participantId, Instant now, boolean refill) {
        postgresReads.increment();
        Optional<LiveScore> truth = scores.live(participantId, now);
        if (refill && truth.isPresent()) {
            try {
                cache.write(truth.get(), "");
            } catch (ScoreCache.Unavailable e) {
                LOG.debugf("could not refill the live score: %s", e.getMessage());
            }
        }
        return truth;
    }

    /**
     * The live score without holding a worker thread where the cache can answer: an entry held in the near cache
     * ({@link NearScores}) is answered at once, and a Redis hit on the event loop the call arrived on. At most
     * {@code scoring.live.event-loop-reads} Redis reads are in flight at once, which keeps a stall from piling
     * reads up past the Redis connection pool's queue; the reads beyond wait in line for a place without holding
     * a thread ({@link ReadPermits}), up to eight times as many. A miss, an entry past the end of a counting
     * window, tiers not loaded yet, an unavailable Redis, or a read beyond the line continue on a worker thread
     * (in the caller's Vert.x context, as a {@code @Blocking} call would), which reads PostgreSQL: after a miss or
     * an entry that does not hold at once ({@link #fromPostgres}), otherwise through {@link #live}.
     */
    public Uni<Optional<LiveScore>> liveAsync(String participantId, Instant now) {
        Tiers tiers = currentTiers.known();
        if (tiers == null || !cache.available()) {
            return onWorker(() -> live(participantId, now));
        }
        Answer held = heldNow(participantId, now, tiers);
        if (held.holds()) {
            return Uni.createFrom().item(held.score());
        }
        Uni<Void> place = eventLoopReads.acquire();
        if (place == null) {
            return onWorker(() -> live(participantId, now));
        }
        return place.chain(() -> cache.readAsync(participantId).onTermination().invoke(eventLoopReads::release))
                .onItemOrFailure().transformToUni((cached, failure) -> {
                    if (failure != null) {
                        return onWorker(() -> live(participantId, now));
                    }
                    Answer answer = Answer.of(cached, now, tiers);
                    if (!answer.holds()) {
                        // Redis has just answered: reading it again on the worker would only repeat the miss.
                        return onWorker(() -> fromPostgres(participantId, now, true));
                    }
                    near.redisAnswered();
                    return Uni.createFrom().item(answer.score());
                });
    }

    /** What the near cache answers now, counted as a hit when it holds. */
    private Answer heldNow(String participantId, Instant now, Tiers tiers) {
        Answer held = Answer.of(near.get(participantId), now, tiers);
        if (held.holds()) {
            near.hit();
        }
        return held;
    }

    /**
     * What the cache answers at a time: whether its entry holds and, if so, the score placed in the given tiers
     * when they are newer (none for an erasure's tombstone). A missing entry, or one past the end of a counting
     * window it counted, does not hold: PostgreSQL is asked. {@link #live} and {@link #liveAsync} both decide
     * with it.
     */
    private record Answer(boolean holds, Optional<LiveScore> score) {
        static final Answer ASK_POSTGRES = new Answer(false, Optional.empty());

        static Answer of(Optional<ScoreCache.Entry> cached, Instant now, Tiers tiers) {
            if (cached.isEmpty()) {
                return ASK_POSTGRES;
            }
            if (cached.get().erased()) {
                return new Answer(true, Optional.empty());
            }
            LiveScore score = cached.get().score();
            return score.validAt(now) ? new Answer(true, Optional.of(inTiers(score, tiers))) : ASK_POSTGRES;
        }
    }

    /** How many live score reads PostgreSQL answered since start: misses and fallbacks. */
    public long postgresReads() {
        return postgresReads.sum();
    }

    /** How many cache reads are in flight on event loops now, or waiting in line for a place. */
    public int eventLoopReadsInFlight() {
        return eventLoopReads.taken() + eventLoopReads.waiting();
    }

    @PostConstruct
    void createReadPermits() {
        int places = config.live().eventLoopReads();
        eventLoopReads = new ReadPermits(places, places * 8);
    }

    /**
     * Runs blocking work on a worker thread in the current Vert.x (duplicated) context, so the gRPC call's
     * request context and its Hibernate session are the ones a {@code @Blocking} method would have, and
     * emits its result there. Called on a Vert.x thread: a gRPC call's event loop.
     */
    public <T> Uni<T> onWorker(Callable<T> work) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().completionStage(() -> context.executeBlocking(work, false).toCompletionStage());
    }

    /**
     * A change made in a transaction is held until the transaction commits; then the transaction's changes go to
     * local streams first, then to the cache (and, through it, to every other instance) together, in one round
     * trip however many participants it changed (a batch of reports changes up to 64). Nothing of a transaction
     * that rolls back is written. A change made outside any transaction is written at once.
     */
    void changed(@Observes ScoreChange change) {
        int status = transactions.getTransactionStatus();
        if (status == Status.STATUS_NO_TRANSACTION) {
            committed(List.of(change));
            return;
        }
        if (status != Status.STATUS_ACTIVE) {
            return; // marked for rollback: it will not commit
        }
        @SuppressWarnings("unchecked")
        List<ScoreChange> held = (List<ScoreChange>) transactions.getResource(HELD_CHANGES);
        if (held == null) {
            List<ScoreChange> changes = new ArrayList<>();
            transactions.putResource(HELD_CHANGES, changes);
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        committed(changes);
                    }
                }
            });
            held = changes;
        }
        held.add(change);
    }

    /** After changes committed: local streams first, then the cache in one round trip. */
    private void committed(List<ScoreChange> changes) {
        changes.forEach(fanOut::dispatch);
        try {
            cache.writeTogether(changes.stream().map(this::writeOf).toList());
            changeWrites.increment();
            changesWritten.add(changes.size());
        } catch (ScoreCache.Unavailable e) {
            changes.forEach(this::remember);
        } catch (RuntimeException e) {
            // The commit stands whatever happens here; the entries are repaired as after any failed write.
            LOG.warnf(e, "could not write %d committed live scores; they are written again", changes.size());
            changes.forEach(this::remember);
        }
    }

    /** Round trips that wrote committed changes to the cache, since start (read by tests). */
    public long changeWrites() {
        return changeWrites.sum();
    }

    /** Committed changes those round trips wrote, since start (read by tests). */
    public long changesWritten() {
        return changesWritten.sum();
    }

    /** After a rule table was published here: place scores in its tiers, here and on every other instance. */
    void tiersPublished(@Observes(during = TransactionPhase.AFTER_SUCCESS) Tiers published) {
        if (currentTiers.update(published)) {
            fanOut.dispatchTiers(published);
        }
        try {
            cache.publish(ScoreChangeMessage.newTiers(published.ruleTableVersion()));
        } catch (ScoreCache.Unavailable e) {
            LOG.debugf("could not announce new tiers; other instances find them within their refresh interval");
        }
    }

    /** Writes the changes whose cache write failed, once Redis answers again. */
    @Scheduled(every = "1s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @ActivateRequestContext
    void repair() {
        if (pendingRepairs.isEmpty() || !cache.available()) {
            return;
        }
        int repaired = 0;
        for (ScoreChange pending : List.copyOf(pendingRepairs.values())) {
            try {
                repairOf(pending).ifPresent(this::store);
                pendingRepairs.remove(pending.participantId(), pending);
                repaired++;
            } catch (ScoreCache.Unavailable e) {
                return;
            }
        }
        LOG.infof("rewrote %d live scores whose cache write had failed", repaired);
    }

    /**
     * What to write for a change whose write failed: an erasure as it was (it is final), otherwise the score
     * as PostgreSQL has it now, since Redis may have lost newer values meanwhile (e.g. it was flushed).
     * Nothing for a participant erased since: the erasure's own write (or repair) settles the entry.
     */
    private Optional<ScoreChange> repairOf(ScoreChange failed) {
        if (failed.erasure()) {
            return Optional.of(failed);
        }
        return scores.live(failed.participantId(), Instant.now()).map(truth -> truth.version() == failed.version()
                ? new ScoreChange(failed.participantId(), truth, truth.version(), failed.cause(), failed.reportId(),
                        failed.eventId())
                : new ScoreChange(failed.participantId(), truth, truth.version(), ScoreChangeCause.CURRENT, "", ""));
    }

    private void store(ScoreChange change) {
        cache.write(writeOf(change));
    }

    /** The cache write of a change, announcing it: its score, or an erasure's tombstone. */
    private ScoreCache.Write writeOf(ScoreChange change) {
        String announcement = ScoreChangeMessage.encode(change);
        return change.erasure()
                ? cache.erasureWrite(change.participantId(), change.version(), announcement)
                : cache.scoreWrite(change.score(), announcement);
    }

    private void remember(ScoreChange change) {
        if (pendingRepairs.size() >= config.live().maxPendingRepairs()
                && !pendingRepairs.containsKey(change.participantId())) {
            LOG.warnf("too many live scores waiting for Redis; this one is left to its entry's TTL");
            return;
        }
        pendingRepairs.merge(change.participantId(), change, (a, b) -> a.version() >= b.version() ? a : b);
    }

    /** A score placed in the newest tiers known here, without loading them (never blocks). */
    public LiveScore placed(LiveScore score) {
        return inTiers(score, currentTiers.known());
    }

    /** {@code score} placed in {@code tiers} if they belong to a rule table published after it was computed. */
    private static LiveScore inTiers(LiveScore score, Tiers tiers) {
        return tiers != null && tiers.ruleTableVersion() > score.ruleTableVersion() ? score.withTiers(tiers) : score;
    }
}
