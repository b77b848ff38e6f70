package org.civiccredit.scoring.cache;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.civiccredit.scoring.config.ScoringConfig;
import org.civiccredit.scoring.domain.LiveScore;
import org.civiccredit.scoring.domain.Score;
import org.civiccredit.scoring.domain.TierDefinition;
import org.jboss.logging.Logger;

/**
 * The live scores in Redis: one hash per participant ({@code scoring:score:{participantId}}) holding score,
 * tier, version, the rule table of the tier and {@code valid_until}. Every write goes through one Lua script
 * that keeps the newer value — the higher version, or at the same version the later {@code valid_until}
 * (computed later, with more windows ended) — so a late writer never overwrites a newer score, and that
 * publishes the change on the pub/sub channel in the same step. After a failure, Redis is left alone for a
 * cool-down and callers fall back to PostgreSQL at once.
 */
@ApplicationScoped
public class ScoreCache {

    /** valid_until of a score that no window end will change: 9999-12-31T23:59:59.999Z. */
    static final long NO_END = 253_402_300_799_999L;

    /**
     * KEYS[1] the participant's hash; ARGV[1] version, ARGV[2] valid_until (epoch ms), ARGV[3] TTL (ms),
     * ARGV[4] channel, ARGV[5] message to publish ('' for a refill), ARGV[6] the time to live (ms) below which an
     * unchanged entry's TTL is renewed, ARGV[7..] the fields and values. Returns
     * 1 when written. A change at least as new as the stored one is published even when the stored value
     * already was its equal (a reader refilled it between the commit and this write). A value equal to the
     * stored one renews the entry's TTL once less than ARGV[6] of it is left: that is how the keeper
     * ({@link LiveScoreKeeper}) keeps entries alive. Not every time: every renewal is a change of the key, which
     * Redis announces to the near caches ({@link NearScores}), and they drop the entry.
     */
    static final String WRITE_SCRIPT = """
            local stored = redis.call('HMGET', KEYS[1], 'version', 'valid_until')
            local version = tonumber(ARGV[1])
            local storedVersion = tonumber(stored[1])
            if storedVersion and storedVersion > version then
              return 0
            end
            local written = 0
            if not storedVersion or storedVersion < version or (tonumber(stored[2]) or 0) < tonumber(ARGV[2]) then
              redis.call('HSET', KEYS[1], unpack(ARGV, 7))
              written = 1
            end
            if written == 1 or redis.call('PTTL', KEYS[1]) < tonumber(ARGV[6]) then
              redis.call('PEXPIRE', KEYS[1], ARGV[3])
            end
            if ARGV[5] ~= '' then
              redis.call('PUBLISH', ARGV[4], ARGV[5])
            end
            return written
            """;

    /** KEYS[1] the lease; ARGV[1] the owner, ARGV[2] the lease time (ms). Returns 1 when the owner holds it. */
    static final String LEASE_SCRIPT = """
            local owner = redis.call('GET', KEYS[1])
            if owner and owner ~= ARGV[1] then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 1
            """;

    private static final String WRITE_SHA = sha1(WRITE_SCRIPT);
    /** How many times its timeout a command may take while Redis answers others (see {@link #timed}). */
    static final int BEHIND_FACTOR = 10;
    private static final Logger LOG = Logger.getLogger(ScoreCache.class);
    private static final String[] FIELDS = {"version", "valid_until", "erased", "score", "tier", "tier_threshold",
        "next_tier", "to_next", "as_of", "table"};

    /** What the cache holds for a participant: their live score, or the tombstone of their erasure. */
    public record Entry(long version, LiveScore score) {
        public boolean erased() {
            return score == null;
        }
    }

    /** Redis did not answer (down, unreachable, too slow) or is cooling down after such a failure. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    ScoringConfig config;

    @Inject
    NearScores near;

    /** System.nanoTime() before which Redis is not tried again. */
    private final AtomicLong coolingUntil = new AtomicLong(System.nanoTime());
    /** System.nanoTime() of the last answer Redis gave to any command of this instance. */
    private volatile long lastAnswer = System.nanoTime();
    /** Whether the last call failed: an outage is logged when it starts and when it ends, not every call. */
    private volatile boolean failing;

    /**
     * Opens a pooled connection and loads the write script at startup, so the first request does not pay for
     * them within its timeout. A failure here only means Redis is not there yet.
     */
    void warmUp(@Observes StartupEvent started) {
        redis.execute(Command.SCRIPT, "LOAD", WRITE_SCRIPT).subscribe().with(
                loaded -> LOG.debugf("live score write script loaded as %s", loaded),
                e -> LOG.infof("Redis not reachable at startup (%s); live scores are read from PostgreSQL until it is",
                        e.getMessage()));
    }

    /** Whether Redis is worth trying now (not cooling down after a failure). */
    public boolean available() {
        return System.nanoTime() - coolingUntil.get() >= 0;
    }

    /** The entry Redis holds for a participant, if any; kept in the near cache if nothing changed it meanwhile. */
    public Optional<Entry> read(String participantId) {
        NearScores.Ticket ticket = near.reserve(participantId);
        Optional<Entry> entry = Optional.empty();
        try {
            entry = entry(participantId, call(redis.execute(Command.HMGET, withFields(key(participantId))),
                    config.live().readTimeout(), true));
            return entry;
        } finally {
            near.fill(participantId, ticket, entry);
        }
    }

    /**
     * The cached entry of a participant, if any, without blocking: for the event loop. Fails with
     * {@link Unavailable} as {@link #read} does, and starts the cool-down on the same failures.
     */
    public Uni<Optional<Entry>> readAsync(String participantId) {
        if (!available()) {
            return Uni.createFrom().failure(new Unavailable("Redis is cooling down after a failure", null));
        }
        NearScores.Ticket ticket = near.reserve(participantId);
        return timed(redis.execute(Command.HMGET, withFields(key(participantId))), config.live().readTimeout())
                .onFailure().transform(failure -> failed(failure, true))
                .onItem().transform(fields -> entry(participantId, fields))
                .onTermination().invoke((entry, failure, cancelled) -> near.fill(participantId, ticket,
                        failure == null && !cancelled ? entry : Optional.empty()));
    }

    /** One step of a walk over the live score entries in Redis: SCAN from {@code cursor}. */
    public record Page(String cursor, List<String> participantIds) {
        /** Whether the walk has come back to its start. */
        public boolean last() {
            return "0".equals(cursor);
        }
    }

    /**
     * The participants of about {@code count} live score keys from {@code cursor} ("0" to start); for the near
     * cache's warmer, whose failures do not cool the cache down for readers.
     */
    public Page scan(String cursor, int count) {
        Response page = call(redis.execute(Command.SCAN, cursor, "MATCH", config.live().keyPrefix() + "{*", "COUNT",
                Integer.toString(count)), config.live().readTimeout(), false);
        List<String> ids = new ArrayList<>(page.get(1).size());
        for (Response key : page.get(1)) {
            String participantId = participantOf(config.live().keyPrefix(), key.toString());
            if (participantId != null) {
                ids.add(participantId);
            }
        }
        return new Page(page.get(0).toString(), ids);
    }

    /**
     * Reads the entries of those participants the near cache holds nothing for, in one pipelined round trip,
     * into the near cache (each unless changed meanwhile, as {@link #read} does). For the warmer: a failure does
     * not cool the cache down for readers.
     *
     * @return how many were read
     */
    public int readIntoNear(List<String> participantIds) {
        List<String> ids = new ArrayList<>(participantIds.size());
        List<NearScores.Ticket> tickets = new ArrayList<>(participantIds.size());
        List<Request> requests = new ArrayList<>(participantIds.size());
        for (String id : participantIds) {
            NearScores.Ticket ticket = near.reserve(id);
            if (ticket != null) {
                ids.add(id);
                tickets.add(ticket);
                Request hmget = Request.cmd(Command.HMGET);
                for (String arg : withFields(key(id))) {
                    hmget.arg(arg);
                }
                requests.add(hmget);
            }
        }
        if (requests.isEmpty()) {
            return 0;
        }
        List<Response> answers = List.of();
        try {
            answers = call(redis.getRedis().batch(requests), config.live().readTimeout(), false);
        } finally {
            for (int i = 0; i < ids.size(); i++) {
                near.fill(ids.get(i), tickets.get(i),
                        i < answers.size() ? entry(ids.get(i), answers.get(i)) : Optional.empty());
            }
        }
        return ids.size();
    }

    private Optional<Entry> entry(String participantId, Response fields) {
        if (fields == null || fields.size() < FIELDS.length || fields.get(0) == null) {
            return Optional.empty();
        }
        try {
            long version = fields.get(0).toLong();
            if ("1".equals(string(fields.get(2)))) {
                return Optional.of(new Entry(version, null));
            }
            String tierName = string(fields.get(4));
            TierDefinition tier = tierName.isEmpty() ? null : new TierDefinition(tierName, fields.get(5).toLong());
            long validUntil = fields.get(1).toLong();
            Score score = new Score(participantId, fields.get(3).toLong(), tier, string(fields.get(6)),
                    fields.get(7).toLong(), version, Instant.ofEpochMilli(fields.get(8).toLong()));
            return Optional.of(new Entry(version, new LiveScore(score, fields.get(9).toLong(),
                    validUntil >= NO_END ? null : Instant.ofEpochMilli(validUntil))));
        } catch (RuntimeException unreadable) {
            LOG.debugf("unreadable live score entry of %s, treated as a miss: %s", participantId, unreadable);
            return Optional.empty();
        }
    }

    /**
     * Stores a score unless a newer one is stored, and publishes {@code announcement} on the channel unless it
     * is empty (a refill after a miss is not a change) or an even newer score was stored already.
     *
     * @return whether the score was stored
     */
    public boolean write(LiveScore live, String announcement) {
        return write(scoreWrite(live, announcement));
    }

    /** Stores one participant's write ({@link #scoreWrite} or {@link #erasureWrite}) on its own. */
    public boolean write(Write write) {
        return store(write.participantId(), write.arguments());
    }

    /**
     * One participant's write, for {@link #write(Write)} or {@link #writeTogether}: a score or an erasure's tombstone,
     * and its announcement.
     */
    public record Write(String participantId, List<String> arguments) {
    }

    /** A score to store as {@link #write} stores it, announcing {@code announcement} ("" for none). */
    public Write scoreWrite(LiveScore live, String announcement) {
        return new Write(live.participantId(), writeArguments(live, announcement));
    }

    /** An erasure's tombstone to store as {@link #writeErased} stores it. */
    public Write erasureWrite(String participantId, long version, String announcement) {
        return new Write(participantId, arguments(participantId, version, NO_END, announcement, List.of(
                "version", Long.toString(version), "valid_until", Long.toString(NO_END), "erased", "1",
                "score", "0", "tier", "", "tier_threshold", "-1", "next_tier", "", "to_next", "0", "as_of", "0",
                "table", "0")));
    }

    /**
     * Stores each write as {@link #write} and {@link #writeErased} do (newer values kept, announcements published),
     * in order, in one pipelined round trip: one transaction's changes, however many participants it changed. The
     * near cache drops each participant's entry before and after, as for a single write. Fails with
     * {@link Unavailable} and starts the cool-down as a single write does.
     *
     * @return how many were stored
     */
    public int writeTogether(List<Write> writes) {
        if (writes.isEmpty()) {
            return 0;
        }
        writes.forEach(w -> near.invalidate(w.participantId()));
        try {
            return stored(pipelined(writes.stream().map(Write::arguments).toList(), true));
        } finally {
            writes.forEach(w -> near.invalidate(w.participantId()));
        }
    }

    /**
     * Stores each score unless a newer one is stored, as {@link #write} with no announcement, in one pipelined
     * round trip; renews the TTL of the entries that already held their score.
     *
     * @return how many were stored (missing, older, or ending earlier than the given score)
     */
    public int writeAll(List<LiveScore> scores) {
        if (scores.isEmpty()) {
            return 0;
        }
        return stored(pipelined(scores.stream().map(score -> writeArguments(score, "")).toList(), false));
    }

    /**
     * Runs the write script once for each argument list, in order, in one pipelined round trip. {@code coolDown} as
     * for {@link #call}.
     */
    private List<Response> pipelined(List<List<String>> writes, boolean coolDown) {
        List<Request> requests = new ArrayList<>(writes.size() + 1);
        // Loaded first, so that no EVALSHA of the pipeline meets an empty script cache (a restarted Redis).
        requests.add(Request.cmd(Command.SCRIPT).arg("LOAD").arg(WRITE_SCRIPT));
        for (List<String> arguments : writes) {
            Request evalsha = Request.cmd(Command.EVALSHA).arg(WRITE_SHA);
            arguments.forEach(evalsha::arg);
            requests.add(evalsha);
        }
        return call(redis.getRedis().batch(requests), config.live().writeTimeout(), coolDown);
    }

    /** How many of a pipeline's scripts stored their value (its first answer is the script's loading). */
    private static int stored(List<Response> responses) {
        int written = 0;
        for (Response response : responses.subList(1, responses.size())) {
            written += response != null && response.toInteger() == 1 ? 1 : 0;
        }
        return written;
    }

    private List<String> writeArguments(LiveScore live, String announcement) {
        Score s = live.score();
        long validUntil = live.validUntil() == null ? NO_END : live.validUntil().toEpochMilli();
        return arguments(live.participantId(), s.version(), validUntil, announcement, List.of(
                "version", Long.toString(s.version()),
                "valid_until", Long.toString(validUntil),
                "erased", "0",
                "score", Long.toString(s.score()),
                "tier", s.tier() == null ? "" : s.tier().name(),
                "tier_threshold", s.tier() == null ? "-1" : Long.toString(s.tier().threshold()),
                "next_tier", s.nextTierName(),
                "to_next", Long.toString(s.pointsToNextTier()),
                "as_of", Long.toString(s.asOf().toEpochMilli()),
                "table", Long.toString(live.ruleTableVersion())));
    }

    /** Replaces a participant's score by the tombstone of their erasure (version {@code version}). */
    public boolean writeErased(String participantId, long version, String announcement) {
        return write(erasureWrite(participantId, version, announcement));
    }

    /** Publishes a message on the channel of score changes. */
    public void publish(String message) {
        call(redis.execute(Command.PUBLISH, config.live().channel(), message), config.live().writeTimeout(), true);
    }

    /**
     * Takes or renews the keeper's lease for {@code owner}, unless another owner holds it: one instance walks
     * the participants at a time, and a successor takes over within {@code time} of the owner's last renewal.
     */
    public boolean keeperLease(String owner, Duration time) {
        Response taken = call(redis.execute(Command.EVAL, LEASE_SCRIPT, "1", keeperKey("lease"), owner,
                Long.toString(time.toMillis())), config.live().writeTimeout(), false);
        return taken != null && taken.toInteger() == 1;
    }

    /** Where the keeper's walk stands: the last participant id it wrote, or "" at the start of a pass. */
    public String keeperCursor() {
        Response cursor = call(redis.execute(Command.GET, keeperKey("cursor")), config.live().readTimeout(), false);
        return cursor == null ? "" : cursor.toString();
    }

    /** Records where the keeper's walk stands. */
    public void keeperCursor(String participantId) {
        call(redis.execute(Command.SET, keeperKey("cursor"), participantId), config.live().writeTimeout(), false);
    }

    /** A key of the keeper's own, beside the score entries (which are {@code <prefix>{id}}). */
    public String keeperKey(String name) {
        return config.live().keyPrefix() + "keeper:" + name;
    }

    /**
     * The participant whose hash {@code key} is ({@code <keyPrefix>{participantId}}, see {@link #key}); null for
     * any other key (the keeper's own, say).
     */
    static String participantOf(String keyPrefix, String key) {
        int start = keyPrefix.length() + 1;
        return key.length() > start && key.startsWith(keyPrefix) && key.charAt(start - 1) == '{' && key.endsWith("}")
                ? key.substring(start, key.length() - 1) : null;
    }

    /** The key of a participant's hash; the braces make it a cluster hash tag. */
    public String key(String participantId) {
        return config.live().keyPrefix() + "{" + participantId + "}";
    }

    /**
     * The time to live below which an unchanged entry's TTL is renewed: twice the refresh period (the keeper
     * comes by at least once before an entry it left alone expires), at most the TTL (then always).
     */
    Duration renewBelow() {
        Duration twoPasses = config.live().refreshPeriod().multipliedBy(2);
        return twoPasses.compareTo(config.live().ttl()) < 0 ? twoPasses : config.live().ttl();
    }

    /** The script's arguments after the script itself: key count, key, ARGV. */
    private List<String> arguments(String participantId, long version, long validUntil, String announcement,
            List<String> fieldsAndValues) {
        List<String> args = new ArrayList<>(List.of("1", key(participantId), Long.toString(version),
                Long.toString(validUntil), Long.toString(config.live().ttl().toMillis()), config.live().channel(),
                announcement == null ? "" : announcement, Long.toString(renewBelow().toMillis())));
        args.addAll(fieldsAndValues);
        return args;
    }

    /**
     * Runs the write script. The near cache drops the participant's entry before and after: Redis announces the
     * change to every instance, but a caller of this one reads its own write at once.
     */
    private boolean store(String participantId, List<String> args) {
        near.invalidate(participantId);
        List<String> withSha = new ArrayList<>(args);
        withSha.add(0, WRITE_SHA);
        List<String> withScript = new ArrayList<>(args);
        withScript.add(0, WRITE_SCRIPT);
        Uni<Response> write = redis.execute(Command.EVALSHA, withSha.toArray(String[]::new))
                .onFailure(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT"))
                .recoverWithUni(() -> redis.execute(Command.EVAL, withScript.toArray(String[]::new)));
        try {
            Response written = call(write, config.live().writeTimeout(), true);
            return written != null && written.toInteger() == 1;
        } finally {
            near.invalidate(participantId);
        }
    }

    /**
     * Awaits a command. A failure makes the cache unavailable for the cool-down when {@code coolDown} (the
     * read and write paths of requests); the keeper's own commands pass false, so that its batch timing out
     * under load does not send every reader to PostgreSQL.
     */
    private <T> T call(Uni<T> command, Duration timeout, boolean coolDown) {
        if (!available()) {
            throw new Unavailable("Redis is cooling down after a failure", null);
        }
        try {
            return timed(command, timeout).await().indefinitely();
        } catch (RuntimeException e) {
            throw failed(e, coolDown);
        }
    }

    /**
     * {@code command}, failing when it has not answered within {@code timeout} and Redis has answered nothing
     * else since it was sent. When Redis did answer other commands meanwhile, it is this process that is
     * behind (its event loops or threads busy), not Redis: the answer is on its way, and failing over to
     * PostgreSQL would only add load (at 2,080 reads/s a stall turned into a 15-second cascade that way), so
     * the command is given {@value #BEHIND_FACTOR} times as long before it fails.
     */
    private <T> Uni<T> timed(Uni<T> command, Duration timeout) {
        long sent = System.nanoTime();
        CompletableFuture<T> answer = command.subscribeAsCompletionStage();
        return awaiting(answer).ifNoItem().after(timeout).recoverWithUni(() -> answeredSince(sent)
                        ? awaiting(answer).ifNoItem().after(timeout.multipliedBy(BEHIND_FACTOR)).fail()
                        : Uni.createFrom().failure(new TimeoutException("Redis did not answer within " + timeout)))
                .onItem().invoke(this::answered);
    }

    /** {@code answer} as a Uni whose cancellation (a timeout) leaves the command itself running. */
    private static <T> Uni<T> awaiting(CompletableFuture<T> answer) {
        return Uni.createFrom().emitter(emitter -> answer.whenComplete((response, failure) -> {
            if (failure != null) {
                emitter.fail(failure);
            } else {
                emitter.complete(response);
            }
        }));
    }

    private boolean answeredSince(long sent) {
        return lastAnswer - sent > 0;
    }

    private void answered() {
        lastAnswer = System.nanoTime();
        if (failing) {
            failing = false;
            LOG.info("Redis answers again; live scores are cached again");
        }
    }

    /**
     * The failure of a command as {@link Unavailable}, after starting the cool-down when {@code coolDown}. A
     * full connection pool (more commands waiting than {@code quarkus.redis.max-pool-waiting}) is a local
     * overload, not Redis failing: that one call falls back, and nothing cools down.
     */
    private Unavailable failed(Throwable e, boolean coolDown) {
        if (poolBusy(e)) {
            return new Unavailable("the Redis connection pool is busy: " + e.getMessage(), e);
        }
        if (coolDown) {
            coolingUntil.set(System.nanoTime() + config.live().cooldown().toNanos());
            if (!failing) {
                failing = true;
                LOG.warnf("Redis failed (%s); live scores are read from PostgreSQL, Redis is tried again every %d ms",
                        e.getMessage(), config.live().cooldown().toMillis());
            }
        }
        return new Unavailable("Redis failed: " + e.getMessage(), e);
    }

    static boolean poolBusy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectionPoolTooBusyException) {
                return true;
            }
        }
        return false;
    }

    private static String[] withFields(String key) {
        String[] args = new String[FIELDS.length + 1];
        args[0] = key;
        System.arraycopy(FIELDS, 0, args, 1, FIELDS.length);
        return args;
    }

    private static String string(Response r) {
        return r == null ? "" : r.toString();
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
