package org.civiccredit.kit.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

class CallerTest {

    /** The injected token; reading a claim through it is the slow path, which a verified token must not take. */
    private static final JsonWebToken UNUSED = (JsonWebToken) Proxy.newProxyInstance(
            CallerTest.class.getClassLoader(), new Class<?>[] {JsonWebToken.class}, (proxy, method, args) -> {
                throw new AssertionError("read through JsonWebToken." + method.getName());
            });

    private static OidcJwtCallerPrincipal verified(Map<String, Object> claims) {
        JwtClaims set = new JwtClaims();
        set.setSubject("service-account-agency-greenway");
        claims.forEach(set::setClaim);
        return new OidcJwtCallerPrincipal(set, null);
    }

    @Test
    void aVerifiedTokensPartnerClaimsAreReadFromItsClaimSet() {
        OidcJwtCallerPrincipal token = verified(Map.of("agency_id", "greenway", "merchant_id", "m-17",
                "azp", "agency-greenway"));
        assertThat(Caller.claim(token, UNUSED, "agency_id")).contains("greenway");
        assertThat(Caller.claim(token, UNUSED, "merchant_id")).contains("m-17");
        assertThat(Caller.claim(token, UNUSED, "azp")).contains("agency-greenway");
    }

    @Test
    void aMissingEmptyOrNonTextClaimIsAbsent() {
        OidcJwtCallerPrincipal token = verified(Map.of("merchant_id", " ", "agency_id", 42L,
                "roles", List.of("agency")));
        assertThat(Caller.claim(token, UNUSED, "merchant_id")).isEmpty();
        assertThat(Caller.claim(token, UNUSED, "agency_id")).isEmpty();
        assertThat(Caller.claim(token, UNUSED, "roles")).isEmpty();
        assertThat(Caller.claim(token, UNUSED, "no_such_claim")).isEmpty();
    }

    @Test
    void anyOtherPrincipalIsReadThroughTheInjectedToken() {
        JsonWebToken injected = (JsonWebToken) Proxy.newProxyInstance(CallerTest.class.getClassLoader(),
                new Class<?>[] {JsonWebToken.class}, (proxy, method, args) ->
                        method.getName().equals("getClaim") && "agency_id".equals(args[0]) ? "riverside" : null);
        assertThat(Caller.claim(() -> "someone", injected, "agency_id")).isEqualTo(Optional.of("riverside"));
        assertThat(Caller.claim(() -> "someone", injected, "merchant_id")).isEmpty();
    }
}
