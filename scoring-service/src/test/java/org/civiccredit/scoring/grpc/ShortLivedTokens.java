package org.civiccredit.scoring.grpc;

import io.quarkus.test.keycloak.client.KeycloakTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.civiccredit.kit.testing.TestParticipants;

/**
 * Real participant tokens that expire within seconds, for what happens when a token runs out mid-call. Keycloak
 * has no per-request lifespan, so this creates a throwaway public client with a short access token lifespan
 * through the admin API (like TestParticipants' users; the realm file and its clients stay as they are) and
 * deletes it again on close.
 */
final class ShortLivedTokens implements AutoCloseable {

    private static final KeycloakTestClient KEYCLOAK = new KeycloakTestClient();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String clientId;
    private final String clientLocation;

    private ShortLivedTokens(String clientId, String clientLocation) {
        this.clientId = clientId;
        this.clientLocation = clientLocation;
    }

    /** A client whose access tokens live {@code lifespanSeconds}. */
    static ShortLivedTokens create(int lifespanSeconds) {
        String clientId = "test-short-lived-" + UUID.randomUUID();
        HttpResponse<String> created = send(admin(URI.create(realmAdmin() + "/clients"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"clientId":"%s","enabled":true,"publicClient":true,"directAccessGrantsEnabled":true,
                         "standardFlowEnabled":false,"attributes":{"access.token.lifespan":"%d"}}"""
                        .formatted(clientId, lifespanSeconds))).build(), 201);
        return new ShortLivedTokens(clientId, created.headers().firstValue("Location").orElseThrow());
    }

    /** A token of {@code user} through this client (their password is replaced by a new one to get it). */
    String tokenFor(TestParticipants.TestUser user) {
        String password = UUID.randomUUID().toString();
        send(admin(URI.create(realmAdmin() + "/users/" + user.userId() + "/reset-password"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("""
                        {"type":"password","value":"%s","temporary":false}""".formatted(password))).build(), 204);
        return KEYCLOAK.getAccessToken(user.username(), password, clientId, null);
    }

    @Override
    public void close() {
        send(admin(URI.create(clientLocation)).DELETE().build(), 204);
    }

    private static String realmAdmin() {
        return KEYCLOAK.getAuthServerBaseUrl() + "/admin/realms/civic-credit";
    }

    private static HttpRequest.Builder admin(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + KEYCLOAK.getAdminAccessToken());
    }

    private static HttpResponse<String> send(HttpRequest request, int expected) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(request.method() + " " + request.uri() + " answered "
                        + r.statusCode() + ": " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak admin API unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
