package org.civiccredit.kit.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {

    private static final long T0 = 1_800_000_000_000L;
    private static final AuthenticationRequestContext REQUEST = new AuthenticationRequestContext() {
        @Override
        public Uni<SecurityIdentity> runBlocking(Supplier<SecurityIdentity> function) {
            return Uni.createFrom().item(function);
        }
    };

    private final AtomicLong now = new AtomicLong(T0);

    @Test
    void aVerifiedTokenIsReusedWithItsPrincipalAndRoles() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        tokens.remember(verified("token-a", "merchant-1", T0 / 1000 + 300, "merchant"));
        SecurityIdentity reused = tokens.reuse("token-a", null, REQUEST).orElseThrow();
        assertThat(reused.getPrincipal().getName()).isEqualTo("merchant-1");
        assertThat(reused.getRoles()).containsExactly("merchant");
        assertThat(reused.getCredential(AccessTokenCredential.class).getToken()).isEqualTo("token-a");
        assertThat((Object) reused.getAttribute(VerifiedTokens.REUSED)).isEqualTo(Boolean.TRUE);
        assertThat((Object) reused.getAttribute(AuthenticationRequestContext.class.getName())).isSameAs(REQUEST);
        assertThat(tokens.verifications()).isEqualTo(1);
        assertThat(tokens.reuses()).isEqualTo(1);
    }

    @Test
    void onlyTheExactTokenIsReused() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        tokens.remember(verified("token-a", "merchant-1", T0 / 1000 + 300, "merchant"));
        assertThat(tokens.reuse("token-a ", null, REQUEST)).isEmpty();
        assertThat(tokens.reuse("token-A", null, REQUEST)).isEmpty();
        assertThat(tokens.reuse("token-b", null, REQUEST)).isEmpty();
    }

    @Test
    void aTokenIsNotReusedFromTheSecondItExpires() {
        assertReusedUntil(10, 10_000);
    }

    @Test
    void aTokenIsVerifiedAgainAfterTheMaximumAgeEvenIfItIsStillValid() {
        assertReusedUntil(3600, 60_000);
    }

    /**
     * A token verified at {@code T0} that expires {@code expiresInSeconds} later (with a maximum age of 60 s) is
     * reused up to the millisecond before {@code T0 + endMillis}, and not from then on.
     */
    private void assertReusedUntil(long expiresInSeconds, long endMillis) {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        tokens.remember(verified("token-a", "merchant-1", T0 / 1000 + expiresInSeconds, "merchant"));
        now.set(T0 + endMillis - 1);
        assertThat(tokens.reuse("token-a", null, REQUEST)).isPresent();
        now.set(T0 + endMillis);
        assertThat(tokens.reuse("token-a", null, REQUEST)).isEmpty();
    }

    @Test
    void anExpiredTokenIsNotHeld() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        tokens.remember(verified("token-a", "merchant-1", T0 / 1000, "merchant"));
        assertThat(tokens.reuse("token-a", null, REQUEST)).isEmpty();
    }

    @Test
    void identitiesNotVerifiedFromABearerTokenAreNotHeld() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        SecurityIdentity anonymous = QuarkusSecurityIdentity.builder().setAnonymous(true)
                .addCredential(new AccessTokenCredential("token-a")).build();
        tokens.remember(anonymous);
        SecurityIdentity alreadyReused = QuarkusSecurityIdentity.builder(
                verified("token-b", "merchant-1", T0 / 1000 + 300, "merchant"))
                .addAttribute(VerifiedTokens.REUSED, Boolean.TRUE).build();
        tokens.remember(alreadyReused);
        assertThat(tokens.reuse("token-a", null, REQUEST)).isEmpty();
        assertThat(tokens.reuse("token-b", null, REQUEST)).isEmpty();
        assertThat(tokens.verifications()).isZero();
    }

    @Test
    void theRequestAnIdentityWasVerifiedForIsNotHeld() {
        VerifiedTokens tokens = new VerifiedTokens(100, Duration.ofSeconds(60), now::get);
        SecurityIdentity first = QuarkusSecurityIdentity.builder(
                verified("token-a", "merchant-1", T0 / 1000 + 300, "merchant"))
                .addAttribute(RoutingContext.class.getName(), "the first request").build();
        tokens.remember(first);
        SecurityIdentity reused = tokens.reuse("token-a", null, REQUEST).orElseThrow();
        assertThat((Object) reused.getAttribute(RoutingContext.class.getName())).isNull();
    }

    @Test
    void turnedOffItHoldsNothing() {
        VerifiedTokens tokens = new VerifiedTokens(0, Duration.ofSeconds(60), now::get);
        tokens.remember(verified("token-a", "merchant-1", T0 / 1000 + 300, "merchant"));
        assertThat(tokens.enabled()).isFalse();
        assertThat(tokens.reuse("token-a", null, REQUEST)).isEmpty();
    }

    @Test
    void sizeIsBounded() {
        VerifiedTokens tokens = new VerifiedTokens(10, Duration.ofSeconds(60), now::get);
        for (int i = 0; i < 1000; i++) {
            tokens.remember(verified("token-" + i, "p" + i, T0 / 1000 + 300, "participant"));
        }
        long held = java.util.stream.IntStream.range(0, 1000)
                .filter(i -> tokens.reuse("token-" + i, null, REQUEST).isPresent()).count();
        assertThat(held).isLessThanOrEqualTo(10);
    }

    private static SecurityIdentity verified(String token, String subject, long expiresAtSeconds, String role) {
        JwtClaims claims = new JwtClaims();
        claims.setSubject(subject);
        claims.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(expiresAtSeconds));
        AccessTokenCredential credential = new AccessTokenCredential(token);
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new OidcJwtCallerPrincipal(claims, credential))
                .addCredential(credential)
                .addRole(role)
                .addAttributes(Map.of("tenant-id", "Default"))
                .build();
    }
}
