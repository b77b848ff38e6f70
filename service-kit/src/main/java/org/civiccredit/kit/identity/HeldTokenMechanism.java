package org.civiccredit.kit.identity;

import io.quarkus.arc.Unremovable;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Answers a call whose bearer token {@link VerifiedTokens} holds, before Quarkus OIDC's own mechanism sees it: that
 * mechanism builds an {@code AccessTokenCredential} from the header on every call, and its constructor base64-decodes
 * and JSON-parses the token's claims to tell a JWT from an opaque token, and it resolves the tenant; all of it was paid
 * again for every call whose identity was then reused. Without it an authenticated echo cost reports-service 19 % less
 * CPU (docs/performance.md, twenty-fourth round).
 *
 * <p>The held token's identity goes through the identity provider manager as any other, with the credential that was
 * built when the token was verified, so {@link VerifiedTokenProvider} answers it and every augmentor runs as before.
 * A token that is not held, or a header that is not exactly {@code Bearer <token>}, is left to the OIDC mechanism,
 * which verifies it (or refuses it, and sends the challenge) as always. With reuse off ({@link VerifiedTokens#enabled},
 * e.g. for sender-constrained tokens) this mechanism answers nothing.
 */
@Singleton
@Unremovable
public class HeldTokenMechanism implements HttpAuthenticationMechanism {

    private static final String SCHEME = "Bearer ";

    @Inject
    VerifiedTokens tokens;

    private final LongAdder answered = new LongAdder();

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        VerifiedTokens.Held held = tokens.enabled()
                ? tokens.held(bearerToken(context.request().getHeader(HttpHeaders.AUTHORIZATION)))
                : null;
        if (held == null) {
            return Uni.createFrom().nullItem();
        }
        answered.increment();
        TokenAuthenticationRequest request = new TokenAuthenticationRequest(held.credential());
        request.setAttribute(VerifiedTokens.Held.class.getName(), held);
        return identityProviderManager.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request, context));
    }

    /**
     * The token of an {@code Authorization} header that is exactly the bearer scheme (in any case), one space and a
     * token without whitespace; null for anything else, which the OIDC mechanism then reads as it always does.
     */
    static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        for (int i = SCHEME.length(); i < authorization.length(); i++) {
            if (Character.isWhitespace(authorization.charAt(i))) {
                return null;
            }
        }
        return authorization.substring(SCHEME.length());
    }

    /** No challenge of its own: a call it does not answer is the OIDC mechanism's, challenge included. */
    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        return Uni.createFrom().item(Boolean.FALSE);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    /** None: a mechanism chosen by its scheme (a path's {@code auth-mechanism}) is the OIDC one. */
    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    /** Before the OIDC mechanism, whatever its configured priority. */
    @Override
    public int getPriority() {
        return Integer.MAX_VALUE;
    }

    /** Calls this mechanism answered with a held token's identity since start. */
    public long answered() {
        return answered.sum();
    }
}
