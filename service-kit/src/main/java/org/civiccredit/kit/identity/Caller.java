package org.civiccredit.kit.identity;

import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.security.Principal;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling, from the verified Keycloak token: the subject, the realm roles and the partner claims
 * ({@code agency_id}, {@code merchant_id}). Services decide ownership from these, never from request fields.
 */
@RequestScoped
public class Caller {

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    /** The token's {@code sub}: a user's or a service account's stable Keycloak id. */
    public String subject() {
        return jwt.getSubject();
    }

    public boolean hasRole(String role) {
        return identity.hasRole(role);
    }

    /** The {@code agency_id} claim of an agency client's token. */
    public Optional<String> agencyId() {
        return claim("agency_id");
    }

    /** The {@code merchant_id} claim of a merchant client's token. */
    public Optional<String> merchantId() {
        return claim("merchant_id");
    }

    /** The {@code azp} claim: the Keycloak client the token was issued to (a service's or partner's client id). */
    public Optional<String> clientId() {
        return claim("azp");
    }

    /** A scope for idempotency keys: keys of different callers and calls never meet. */
    public String idempotencyScope(String call) {
        return idempotencyScopePrefix(subject()) + call;
    }

    /** What every idempotency scope of {@code subject} starts with (their keys are erased by it). */
    public static String idempotencyScopePrefix(String subject) {
        return subject + "/";
    }

    private Optional<String> claim(String name) {
        return claim(identity.getPrincipal(), jwt, name);
    }

    /**
     * A text claim of the caller's token; absent when the token lacks it, or holds it empty or as anything but text.
     * A token Quarkus OIDC verified is read from its claim set directly: {@link JsonWebToken#getClaim} (smallrye-jwt)
     * first looks the name up among the standard claims with {@code Claims.valueOf}, which throws for every other
     * name, so each {@code agency_id} or {@code merchant_id} read built and filled in an exception's stack trace
     * (4.4 % of reports-service's CPU during intake, docs/performance.md, twenty-third round).
     */
    static Optional<String> claim(Principal principal, JsonWebToken jwt, String name) {
        Object value = principal instanceof OidcJwtCallerPrincipal token
                ? token.getClaims().getClaimValue(name)
                : jwt.getClaim(name);
        return value instanceof String text && !text.isBlank() ? Optional.of(text) : Optional.empty();
    }
}
