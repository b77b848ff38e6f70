package org.civiccredit.scoring.cache;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.Score;
import org.civiccredit.scoring.domain.TierDefinition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The near cache: live score entries held in this process, so that a read Redis already answered once costs
 * no round trip the next time. It is kept coherent with Redis by Redis's own client-side caching in broadcast
 * mode: a connection of its own asks Redis ({@code CLIENT TRACKING ON BCAST PREFIX <key prefix>}) to announce
 * every change of a live score key, made by any client of any instance (a write, the keeper's renewal, an
 * expiry, a flush), and each announcement removes the entry here.
 *
 * <p>An answer from Redis is kept only if nothing was announced for its key between the read being sent and the
 * answer arriving: the read first places a {@link Ticket} under the key, an announcement removes whatever is
 * there, and the answer replaces only its own ticket. While the tracking connection is down nothing is answered
 * or kept here, and everything held is dropped, since announcements may have been missed; the connection is
 * opened again with backoff. Changes this instance writes are dropped here before and after the write, so a
 * caller of this instance reads its own write without waiting for the announcement.
 */
@ApplicationScoped
public class NearScores {

    private static final Logger LOG = Logger.getLogger(NearScores.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /**
     * A ticket older than this is taken to belong to a read that will never answer, and is replaced by the next
     * read's: read timeouts are well under it.
     */
    private static final long ABANDONED_NANOS = Duration.ofSeconds(30).toNanos();

    /** A read on its way from Redis, placed under its key until its answer replaces it. */
    public static final class Ticket {
        private final long epoch;
        private final long placed = System.nanoTime();

        private Ticket(long epoch) {
            this.epoch = epoch;
        }
    }

    @Inject
    ScoringConfig config;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.redis.hosts")
    String hosts;

    /**
     * A held entry, compact: about 200 bytes with its key and the map's node, against some 420 for the
     * {@link ScoreCache.Entry} it stands for. Tiers and tier names are shared ({@link #shared}); a tombstone has
     * {@code erased} set.
     */
    private record Held(long version, boolean erased, long score, TierDefinition tier, String nextTierName,
            long pointsToNextTier, long asOfMillis, long ruleTableVersion, long validUntilMillis) {

        static final long NO_END = Long.MAX_VALUE;

        ScoreCache.Entry entry(String participantId) {
            if (erased) {
                return new ScoreCache.Entry(version, null);
            }
            Score s = new Score(participantId, score, tier, nextTierName, pointsToNextTier, version,
                    Instant.ofEpochMilli(asOfMillis));
            return new ScoreCache.Entry(version, new LiveScore(s, ruleTableVersion,
                    validUntilMillis == NO_END ? null : Instant.ofEpochMilli(validUntilMillis)));
        }
    }

    /** At most this many distinct tiers and tier names are shared; beyond that each entry keeps its own. */
    private static final int MAX_SHARED = 10_000;

    /**
     * Participant key ({@link #keyOf}) to its {@link Held} entry, or to the {@link Ticket} of a read on its way.
     */
    private volatile SecondChanceMap<Object, Object> entries;
    /** The tiers and tier names held entries refer to, one instance each. */
    private final ConcurrentMap<Object, Object> shared = new ConcurrentHashMap<>();
    /** Changes whenever everything held is dropped (a flush, the tracking connection lost or regained). */
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();
    private final LongAdder hits = new LongAdder();
    private final LongAdder redisAnswers = new LongAdder();
    private volatile boolean tracking;
    private volatile boolean stopped;
    private volatile Redis client;
    private volatile long trackingClientId = -1;

    void start(@Observes StartupEvent started) {
        int maxEntries = config.live().nearMaxEntries();
        if (maxEntries <= 0) {
            LOG.info("near cache of live scores is off (scoring.live.near-max-entries=0)");
            return;
        }
        entries = new SecondChanceMap<>(maxEntries);
        client = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(hosts.split(",")[0].trim())
                .setPreferredProtocolVersion(ProtocolVersion.RESP3));
        connect();
    }

    void stop(@Observes ShutdownEvent stopping) {
        stopped = true;
        tracking = false;
        Redis current = client;
        if (current != null) {
            current.close();
        }
    }

    /** Whether entries are answered and kept now: the tracking connection is up. */
    public boolean tracking() {
        return tracking;
    }

    /** The entry held for a participant; empty when none is held or tracking is down. */
    public Optional<ScoreCache.Entry> get(String participantId) {
        SecondChanceMap<Object, Object> held = entries;
        if (!tracking || held == null) {
            return Optional.empty();
        }
        return held.get(keyOf(participantId)) instanceof Held entry ? Optional.of(entry.entry(participantId))
                : Optional.empty();
    }

    /**
     * Places a ticket for a read of {@code participantId} about to be sent to Redis; null (the answer will not
     * be kept) when tracking is down, or an entry or another read's ticket is there already.
     */
    public Ticket reserve(String participantId) {
        SecondChanceMap<Object, Object> held = entries;
        if (!tracking || held == null) {
            return null;
        }
        Object key = keyOf(participantId);
        Ticket ticket = new Ticket(epoch.get());
        Object there = held.putIfAbsent(key, ticket);
        if (there == null) {
            return ticket;
        }
        return there instanceof Ticket other && ticket.placed - other.placed > ABANDONED_NANOS
                && held.replace(key, other, ticket) ? ticket : null;
    }

    /**
     * Keeps what Redis answered to the read that took {@code ticket}, unless its key was announced as changed,
     * or everything dropped, since the ticket was placed. Nothing is kept for no entry (a miss is settled by
     * PostgreSQL and a refill, which is announced) or a failed read.
     */
    public void fill(String participantId, Ticket ticket, Optional<ScoreCache.Entry> answer) {
        SecondChanceMap<Object, Object> held = entries;
        if (ticket == null || held == null) {
            return;
        }
        Object key = keyOf(participantId);
        if (answer.isEmpty()) {
            held.remove(key, ticket);
            return;
        }
        Held entry = held(answer.get());
        // A drop of everything moves the epoch before it clears: a ticket it missed is caught here.
        if (held.replace(key, ticket, entry) && (epoch.get() != ticket.epoch || !tracking)) {
            held.remove(key, entry);
        }
    }

    /** Drops what is held for a participant (a change this instance is writing). */
    public void invalidate(String participantId) {
        SecondChanceMap<Object, Object> held = entries;
        if (held != null) {
            held.remove(keyOf(participantId));
        }
    }

    /** Whether anything (an entry or a read's ticket) is held for a participant. */
    boolean holds(String participantId) {
        SecondChanceMap<Object, Object> held = entries;
        return held != null && held.containsKey(keyOf(participantId));
    }

    /** How many entries and tickets are held. */
    public long size() {
        SecondChanceMap<Object, Object> held = entries;
        return held == null ? 0 : held.size();
    }

    /** Whether as many are held as the near cache may hold. */
    public boolean full() {
        return size() >= config.live().nearMaxEntries();
    }

    /** Counts a read answered here. */
    public void hit() {
        hits.increment();
    }

    /** Counts a read this cache did not answer but Redis did (with an entry): a round trip it could have saved. */
    public void redisAnswered() {
        redisAnswers.increment();
    }

    /** Reads answered here so far. */
    public long hits() {
        return hits.sum();
    }

    /** Reads answered by Redis with an entry, after missing here, so far. */
    public long redisAnswers() {
        return redisAnswers.sum();
    }

    /** The Redis client id of the tracking connection, -1 while it is down. */
    long trackingClientId() {
        return trackingClientId;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        AtomicBoolean lost = new AtomicBoolean();
        client.connect().onSuccess(opened -> {
            opened.handler(this::announced);
            opened.exceptionHandler(e -> lost(opened, lost, e));
            opened.endHandler(ended -> lost(opened, lost, null));
            opened.send(Request.cmd(Command.CLIENT).arg("TRACKING").arg("ON").arg("BCAST")
                            .arg("PREFIX").arg(config.live().keyPrefix()))
                    .compose(on -> opened.send(Request.cmd(Command.CLIENT).arg("ID")))
                    .onSuccess(id -> tracked(id.toLong()))
                    .onFailure(e -> lost(opened, lost, e));
        }).onFailure(e -> lost(null, lost, e));
    }

    private void tracked(long clientId) {
        trackingClientId = clientId;
        dropAll();
        tracking = true;
        if (failures.getAndSet(0) > 0) {
            LOG.info("near cache of live scores: tracking Redis again");
        }
    }

    /** Each attempt reacts to its own loss once, whether Redis reports it as an end or as a failure. */
    private void lost(RedisConnection which, AtomicBoolean lost, Throwable failure) {
        if (!lost.compareAndSet(false, true)) {
            return;
        }
        tracking = false;
        trackingClientId = -1;
        dropAll();
        if (which != null) {
            which.close();
        }
        if (stopped) {
            return;
        }
        int attempt = failures.incrementAndGet();
        long delay = Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(attempt - 1, 6));
        if (attempt == 1) {
            LOG.warnf("near cache of live scores: tracking connection lost (%s); reads go to Redis until it is back",
                    failure == null ? "connection ended" : failure.getMessage());
        }
        vertx.setTimer(delay, timer -> connect());
    }

    /** A push from Redis: {@code invalidate} with the changed keys, or with none for a flush. */
    private void announced(Response push) {
        if (push == null || push.type() != ResponseType.PUSH || push.size() < 2
                || !"invalidate".equals(String.valueOf(push.get(0)))) {
            return;
        }
        Response keys = push.get(1);
        if (keys == null || keys.type() != ResponseType.MULTI) {
            dropAll();
            return;
        }
        for (Response key : keys) {
            String participantId = ScoreCache.participantOf(config.live().keyPrefix(), key.toString());
            if (participantId != null) {
                invalidate(participantId);
            }
        }
    }

    /**
     * The map key of a participant: the id as a {@link UUID} (32 bytes) when it is one in canonical form, as
     * participant ids are, otherwise the id itself (80 bytes for a UUID's text).
     */
    static Object keyOf(String participantId) {
        if (participantId.length() == 36) {
            try {
                UUID uuid = UUID.fromString(participantId);
                if (uuid.toString().equals(participantId)) {
                    return uuid;
                }
            } catch (IllegalArgumentException notOne) {
                // kept as text
            }
        }
        return participantId;
    }

    private Held held(ScoreCache.Entry entry) {
        if (entry.erased()) {
            return new Held(entry.version(), true, 0, null, "", 0, 0, 0, Held.NO_END);
        }
        LiveScore live = entry.score();
        Score s = live.score();
        return new Held(entry.version(), false, s.score(), s.tier() == null ? null : share(s.tier()),
                share(s.nextTierName()), s.pointsToNextTier(), s.asOf().toEpochMilli(), live.ruleTableVersion(),
                live.validUntil() == null ? Held.NO_END : live.validUntil().toEpochMilli());
    }

    /** The one shared instance equal to {@code value}, while fewer than {@link #MAX_SHARED} are shared. */
    @SuppressWarnings("unchecked")
    private <T> T share(T value) {
        Object one = shared.get(value);
        if (one == null && shared.size() < MAX_SHARED) {
            one = shared.putIfAbsent(value, value);
        }
        return one == null ? value : (T) one;
    }

    private void dropAll() {
        epoch.incrementAndGet();
        SecondChanceMap<Object, Object> held = entries;
        if (held != null) {
            held.clear();
        }
    }
}
