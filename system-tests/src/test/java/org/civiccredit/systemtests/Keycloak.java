package org.civiccredit.systemtests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.keycloak.common.VerificationException;
import org.keycloak.TokenVerifier;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.util.JsonSerialization;

/**
 * The realm as the repository defines it (read typed from deploy/keycloak) and the running Keycloak that
 * serves it: tokens for the demo clients come from the real token endpoint, with the secrets the realm file
 * declares rather than copies of them.
 */
public final class Keycloak {

    public static final String ISSUER = System.getProperty("systemtests.issuer",
            "http://127.0.0.1:8180/realms/civic-credit");

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final RealmRepresentation REALM = readRealm();

    private Keycloak() {
    }

    public static RealmRepresentation realm() {
        return REALM;
    }

    /** A client-credentials token for one of the realm's confidential clients. */
    public static String clientToken(String clientId) {
        ClientRepresentation client = REALM.getClients().stream()
                .filter(c -> clientId.equals(c.getClientId())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("realm has no client " + clientId));
        return token(Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", client.getSecret()));
    }

    /** Parses (without verifying: the services verify) the claims of a token. */
    public static AccessToken claims(String token) {
        try {
            return TokenVerifier.create(token, AccessToken.class).getToken();
        } catch (VerificationException e) {
            throw new IllegalArgumentException("not a JWT access token", e);
        }
    }

    private static String token(Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(ISSUER + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("token endpoint answered " + response.statusCode() + ": "
                        + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            return JsonSerialization.readValue(response.body(), AccessTokenResponse.class).getToken();
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak unreachable at " + ISSUER + " (scripts/infra.sh up)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static RealmRepresentation readRealm() {
        Path repo = Path.of(System.getProperty("systemtests.repo", "..")).toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(repo.resolve("deploy/keycloak/civic-credit-realm.json"))) {
            return JsonSerialization.readValue(in, RealmRepresentation.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
