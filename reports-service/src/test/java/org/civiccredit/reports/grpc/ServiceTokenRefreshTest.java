package org.civiccredit.reports.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.oidc.client.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.civiccredit.kit.outbox.ServiceTokens;
import org.junit.jupiter.api.Test;

/**
 * The service token this service puts on its calls (the relay's batches, the export's reads) is replaced while
 * it still has {@code quarkus.oidc-client.refresh-token-time-skew} to live, not once it has expired: a call sent
 * in a token's last moment reached its receiver with an expired token and was refused UNAUTHENTICATED. The
 * realm's tokens live 300 s; this profile replaces them 297 s before they expire, so the test waits 3 s, not
 * 270 s as it would with the 30 s the services run with.
 */
@QuarkusTest
@TestProfile(ServiceTokenRefreshTest.ReplacedEarly.class)
class ServiceTokenRefreshTest {

    private static final long SKEW_SECONDS = 297;

    public static class ReplacedEarly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc-client.refresh-token-time-skew", SKEW_SECONDS + "S");
        }
    }

    @Inject
    ServiceTokens tokens;

    @Test
    void aServiceTokenIsReplacedBeforeItExpiresAndNotOnEveryCall() throws InterruptedException {
        Tokens first = tokens.awaitTokens();
        long expiresAt = first.getAccessTokenExpiresAt();
        assertThat(tokens.awaitTokens().getAccessToken()).as("kept while outside the window")
                .isEqualTo(first.getAccessToken());

        long windowOpens = expiresAt - SKEW_SECONDS;
        while (System.currentTimeMillis() / 1000 <= windowOpens) {
            Thread.sleep(200);
        }
        Tokens second = tokens.awaitTokens();

        assertThat(System.currentTimeMillis() / 1000).as("the first token had not expired").isLessThan(expiresAt);
        assertThat(second.getAccessToken()).as("replaced inside the window").isNotEqualTo(first.getAccessToken());
        assertThat(second.getAccessTokenExpiresAt()).isGreaterThan(expiresAt);
        assertThat(tokens.awaitTokens().getAccessToken()).as("and then kept").isEqualTo(second.getAccessToken());
    }
}
