package org.civiccredit.kit.identity;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.quarkus.arc.Unremovable;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Asked before the OIDC provider for every bearer token: answers with the identity {@link VerifiedTokens} holds for
 * it, or with nothing, and then the OIDC provider verifies the token as always. A call that {@link HeldTokenMechanism}
 * answered arrives with what it found held, and is answered from that.
 */
@Singleton
@Unremovable
public class VerifiedTokenProvider implements IdentityProvider<TokenAuthenticationRequest> {

    @Inject
    VerifiedTokens tokens;

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    /** Before the OIDC provider, which has the default priority. */
    @Override
    public int priority() {
        return Integer.MAX_VALUE;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request,
            AuthenticationRequestContext context) {
        if (!(request.getToken() instanceof AccessTokenCredential token) || !tokens.enabled()) {
            return Uni.createFrom().nullItem();
        }
        if (request.getAttribute(VerifiedTokens.Held.class.getName()) instanceof VerifiedTokens.Held held
                && held.credential() == token) {
            // Found by HeldTokenMechanism for this call.
            return Uni.createFrom().item(tokens.reuse(held, HttpSecurityUtils.getRoutingContextAttribute(request),
                    context));
        }
        return tokens.reuse(token.getToken(), HttpSecurityUtils.getRoutingContextAttribute(request), context)
                .map(identity -> Uni.createFrom().item(identity))
                .orElseGet(() -> Uni.createFrom().nullItem());
    }
}
