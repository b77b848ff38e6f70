package org.civiccredit.scoring.cache;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.ScoreChange;
import org.civiccredit.scoring.domain.ScoreChangeCause;
import org.civiccredit.scoring.domain.Tiers;
import org.jboss.logging.Logger;

/**
 * Fans score changes out to the StreamScore calls this instance serves, whichever instance made the change:
 * each instance subscribes once to the channel of score changes and hands every message to the local
 * listeners of its participant. A change made here is handed over directly as well (so local streams do
 * not depend on Redis); listeners drop what they already have, by version. When the subscription is lost,
 * it is renewed with backoff, and every local listener is then brought up to date from the live scores.
 */
@ApplicationScoped
public class ScoreFanOut {

    /** One StreamScore call's end of the fan-out. Called on event loops or committing threads: never blocks. */
    public interface Listener {

        /** A change of the participant's score, or their erasure. */
        void changed(ScoreChange change);

        /** A newly published rule table: the score may now be in another tier. */
        void tiersChanged(Tiers tiers);

        /** This instance is stopping. */
        void shuttingDown();
    }

    private static final Logger LOG = Logger.getLogger(ScoreFanOut.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    ScoringConfig config;

    @Inject
    Vertx vertx;

    @Inject
    CurrentTiers currentTiers;

    @Inject
    LiveScores liveScores;

    private final Map<String, Set<Listener>> listeners = new ConcurrentHashMap<>();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile ReactiveRedisSubscriber subscriber;
    private volatile boolean stopped;

    void start(@Observes StartupEvent started) {
        subscribe();
    }

    void stop(@Observes ShutdownEvent stopping) {
        stopped = true;
        listeners.values().forEach(set -> set.forEach(Listener::shuttingDown));
        listeners.clear();
        ReactiveRedisSubscriber current = subscriber;
        if (current != null) {
            current.unsubscribe().subscribe().with(done -> { }, failure -> { });
        }
    }

    /** Adds a listener for a participant's changes; returns what removes it again. */
    public Runnable listen(String participantId, Listener listener) {
        listeners.compute(participantId, (id, set) -> {
            Set<Listener> all = set != null ? set : ConcurrentHashMap.newKeySet();
            all.add(listener);
            return all;
        });
        return () -> listeners.computeIfPresent(participantId, (id, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    /** Whether this instance is subscribed to the channel now. */
    public boolean subscribed() {
        return subscriber != null;
    }

    /** Hands a change to the local listeners of its participant. */
    public void dispatch(ScoreChange change) {
        for (Listener listener : listeners.getOrDefault(change.participantId(), Set.of())) {
            try {
                listener.changed(change);
            } catch (RuntimeException e) {
                LOG.warnf(e, "a score stream failed to take a change");
            }
        }
    }

    /** Hands new tiers to every local listener. */
    public void dispatchTiers(Tiers tiers) {
        listeners.values().forEach(set -> set.forEach(listener -> {
            try {
                listener.tiersChanged(tiers);
            } catch (RuntimeException e) {
                LOG.warnf(e, "a score stream failed to take new tiers");
            }
        }));
    }

    /** A safety net for a lost announcement of a new rule table (e.g. while the subscription was down). */
    @Scheduled(every = "10s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshTiers() {
        CurrentTiers.Reload reload = currentTiers.reload();
        if (reload.changed()) {
            dispatchTiers(reload.tiers());
        }
    }

    private void subscribe() {
        if (stopped) {
            return;
        }
        // Each attempt reacts to its own loss once, whether Redis reports it as an end or as a failure.
        AtomicBoolean lost = new AtomicBoolean();
        redis.pubsub(String.class)
                .subscribe(config.live().channel(), this::received, () -> lost(lost, null), e -> lost(lost, e))
                .subscribe().with(this::subscribed, e -> lost(lost, e));
    }

    private void subscribed(ReactiveRedisSubscriber subscription) {
        subscriber = subscription;
        if (failures.getAndSet(0) > 0) {
            LOG.infof("subscribed to %s again; bringing local score streams up to date", config.live().channel());
            vertx.executeBlocking(() -> {
                catchUp();
                return null;
            }, false);
        }
    }

    private void lost(AtomicBoolean lost, Throwable failure) {
        if (stopped || !lost.compareAndSet(false, true)) {
            return;
        }
        ReactiveRedisSubscriber previous = subscriber;
        subscriber = null;
        if (previous != null) {
            previous.unsubscribe().subscribe().with(done -> { }, e -> { });
        }
        int attempt = failures.incrementAndGet();
        long delay = Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(attempt - 1, 6));
        if (attempt == 1) {
            LOG.warnf("subscription to %s lost (%s); score streams get changes made here only until it is back",
                    config.live().channel(), failure == null ? "connection ended" : failure.getMessage());
        }
        vertx.setTimer(delay, timer -> subscribe());
    }

    private void received(String message) {
        ScoreChangeMessage.Announcement announcement;
        try {
            announcement = ScoreChangeMessage.decode(message);
        } catch (IllegalArgumentException e) {
            LOG.debugf("ignored a message on %s: %s", config.live().channel(), e.getMessage());
            return;
        }
        if (announcement instanceof ScoreChangeMessage.Change c) {
            dispatch(c.change());
        } else if (announcement instanceof ScoreChangeMessage.NewTiers t) {
            Tiers known = currentTiers.known();
            if (known == null || t.ruleTableVersion() > known.ruleTableVersion()) {
                vertx.executeBlocking(() -> {
                    CurrentTiers.Reload reload = currentTiers.reload();
                    if (reload.changed()) {
                        dispatchTiers(reload.tiers());
                    }
                    return null;
                }, false);
            }
        }
    }

    /** Brings every local listener up to date after changes may have been missed (blocking). */
    private void catchUp() {
        CurrentTiers.Reload reload = currentTiers.reload();
        if (reload.changed()) {
            dispatchTiers(reload.tiers());
        }
        Instant now = Instant.now();
        for (String participantId : List.copyOf(listeners.keySet())) {
            try {
                Optional<LiveScore> live = liveScores.live(participantId, now);
                dispatch(live.map(s -> new ScoreChange(participantId, s, s.version(), ScoreChangeCause.CURRENT, "", ""))
                        .orElseGet(() -> ScoreChange.erased(participantId, Long.MAX_VALUE)));
            } catch (RuntimeException e) {
                LOG.warnf(e, "could not bring the score streams of a participant up to date");
            }
        }
    }
}
