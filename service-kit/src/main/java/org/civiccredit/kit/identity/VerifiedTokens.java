package org.civiccredit.kit.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Bearer tokens this instance has verified, with the identity each one gave, so that the next call with the same
 * token is not verified again. A service's callers reuse their tokens for minutes (rewards-service sends one service
 * token with every GetScore, a merchant's point of sale one with every redemption), and verifying a token (base64
 * decodes, JSON parses with a 32 KB buffer each, an RSA signature check) was more than half of the CPU of an
 * authenticated echo and most of what it allocated (docs/performance.md, seventh round).
 *
 * <p>Only what the OIDC provider accepted is held (never a refusal), under the token's exact text, and only while
 * a fresh verification would still accept it: until the token's {@code exp} (the provider allows no clock skew),
 * and at most {@code auth.verified-tokens.max-age} (60 s) after it was verified, which bounds how long a change on
 * the identity provider's side (a signing key withdrawn from its key set) can go unnoticed beyond what the OIDC
 * provider's own key cache allows. Roles are checked on every call as before ({@code @RolesAllowed} reads the held
 * identity's roles, which came from the token itself). Each reuse is a new identity carrying the current request's
 * routing context.
 *
 * <p>Off ({@code auth.verified-tokens.max-entries=0}) automatically for sender-constrained tokens (mTLS-bound or
 * DPoP), whose binding is checked against each request.
 */
@Singleton
public class VerifiedTokens {

    /** Set on an identity that was served from here rather than verified for this request. */
    public static final String REUSED = "civiccredit.verified-token-reused";

    /**
     * A verified token's identity, the credential it was verified with, and until when it may be reused. Handed from
     * {@link HeldTokenMechanism} to {@link VerifiedTokenProvider} as a request attribute, so the token is looked up
     * once per call.
     */
    record Held(SecurityIdentity identity, AccessTokenCredential credential, long validUntilMillis) {
    }

    private final Cache<String, Held> held;
    private final long maxAgeMillis;
    private final LongSupplier clockMillis;
    private final LongAdder verified = new LongAdder();
    private final LongAdder reused = new LongAdder();

    @Inject
    VerifiedTokens(@ConfigProperty(name = "auth.verified-tokens.max-entries", defaultValue = "10000") int maxEntries,
            @ConfigProperty(name = "auth.verified-tokens.max-age", defaultValue = "60s") Duration maxAge,
            @ConfigProperty(name = "quarkus.oidc.token.binding.certificate", defaultValue = "false")
            boolean certificateBound,
            @ConfigProperty(name = "quarkus.oidc.token.authorization-scheme", defaultValue = "Bearer") String scheme) {
        this(certificateBound || scheme.equalsIgnoreCase("DPoP") ? 0 : maxEntries, maxAge, System::currentTimeMillis);
    }

    /** For tests: {@code clockMillis} tells the time in epoch milliseconds. */
    VerifiedTokens(int maxEntries, Duration maxAge, LongSupplier clockMillis) {
        this.maxAgeMillis = maxAge.toMillis();
        this.clockMillis = clockMillis;
        this.held = maxEntries <= 0 || maxAgeMillis <= 0 ? null : Caffeine.newBuilder()
                .maximumSize(maxEntries)
                // Evictions are done by the caller (an event-loop thread, briefly) rather than by the common pool.
                .executor(Runnable::run)
                .expireAfter(new Expiry<String, Held>() {
                    @Override
                    public long expireAfterCreate(String token, Held h, long currentTime) {
                        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, h.validUntilMillis() - clockMillis.getAsLong()));
                    }

                    @Override
                    public long expireAfterUpdate(String token, Held h, long currentTime, long currentDuration) {
                        return expireAfterCreate(token, h, currentTime);
                    }

                    @Override
                    public long expireAfterRead(String token, Held h, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /** Whether verified tokens are held at all. */
    public boolean enabled() {
        return held != null;
    }

    /**
     * The identity {@code token} gave when it was verified, for the request of {@code routingContext}; empty when it
     * is not held or no longer valid (then it must be verified).
     */
    public Optional<SecurityIdentity> reuse(String token, RoutingContext routingContext,
            AuthenticationRequestContext requestContext) {
        Held h = held(token);
        return h == null ? Optional.empty() : Optional.of(reuse(h, routingContext, requestContext));
    }

    /** The identity of {@code h} (found by {@link #held} for this request), for the request of {@code routingContext}. */
    SecurityIdentity reuse(Held h, RoutingContext routingContext, AuthenticationRequestContext requestContext) {
        reused.increment();
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder(h.identity())
                .addAttribute(REUSED, Boolean.TRUE)
                .addAttribute(AuthenticationRequestContext.class.getName(), requestContext);
        if (routingContext != null) {
            routingContext.put(AuthenticationRequestContext.class.getName(), requestContext);
            identity.addAttribute(RoutingContext.class.getName(), routingContext);
        }
        return identity.build();
    }

    /**
     * Holds an identity the OIDC provider has just verified from a bearer token; anything else (an anonymous
     * identity, one served from here, one without a token or an expiry) is ignored.
     */
    public void remember(SecurityIdentity identity) {
        if (held == null || identity.isAnonymous() || identity.getAttribute(REUSED) != null
                || !(identity instanceof QuarkusSecurityIdentity verifiedNow)
                || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return;
        }
        AccessTokenCredential credential = identity.getCredential(AccessTokenCredential.class);
        long expiresAt = jwt.getExpirationTime();
        if (credential == null || credential.getToken() == null || expiresAt <= 0) {
            return;
        }
        verified.increment();
        long now = clockMillis.getAsLong();
        long validUntil = Math.min(TimeUnit.SECONDS.toMillis(expiresAt), now + maxAgeMillis);
        if (validUntil > now) {
            held.put(credential.getToken(), new Held(withoutRequest(verifiedNow), credential, validUntil));
        }
    }

    /**
     * The identity without what belongs to the request it was verified for (its routing context, which would
     * otherwise stay reachable from here for as long as the token is held).
     */
    private static SecurityIdentity withoutRequest(QuarkusSecurityIdentity identity) {
        Map<String, Object> attributes = new HashMap<>(identity.getAttributes());
        attributes.remove(RoutingContext.class.getName());
        attributes.remove(AuthenticationRequestContext.class.getName());
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addRoles(identity.getRoles())
                .addCredentials(identity.getCredentials())
                .addPermissions(identity.getPermissions())
                .addAttributes(attributes)
                .build();
    }

    /** Whether {@code token} is held now (it would be reused). */
    public boolean holds(String token) {
        return held(token) != null;
    }

    /**
     * What is held for {@code token} (null allowed) while it is still valid; null otherwise (a stale entry is
     * dropped).
     */
    Held held(String token) {
        Held h = held == null || token == null ? null : held.getIfPresent(token);
        if (h != null && clockMillis.getAsLong() >= h.validUntilMillis()) {
            held.asMap().remove(token, h);
            return null;
        }
        return h;
    }

    /** Tokens verified by the OIDC provider since start (each a full verification). */
    public long verifications() {
        return verified.sum();
    }

    /** Calls whose identity was served from here since start. */
    public long reuses() {
        return reused.sum();
    }
}
