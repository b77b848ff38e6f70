package org.civiccredit.kit.testing;

import io.quarkus.test.keycloak.client.KeycloakTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fresh participant users in the real Keycloak realm, so that each test owns its people (enrolment and
 * withdrawal are per person) instead of sharing the demo users. Created through Keycloak's admin API.
 */
public final class TestParticipants {

    /** A user created for one test, and a real access token of theirs. */
    public record TestUser(String username, String userId, String token) {
    }

    private static final KeycloakTestClient KEYCLOAK = new KeycloakTestClient();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern ID = Pattern.compile("/users/([0-9a-f-]+)$");

    private TestParticipants() {
    }

    /** A new user with the participant role. */
    public static TestUser create() {
        return create("participant");
    }

    /** A new user with the given realm role. */
    public static TestUser create(String role) {
        String name = "test-" + UUID.randomUUID();
        String password = UUID.randomUUID().toString();
        String admin = KEYCLOAK.getAdminAccessToken();
        String base = KEYCLOAK.getAuthServerBaseUrl() + "/admin/realms/civic-credit";
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(base + "/users"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"username":"%s","enabled":true,"emailVerified":true,"firstName":"Test","lastName":"Person",
                         "email":"%s@example.org","credentials":[{"type":"password","value":"%s","temporary":false}]}"""
                        .formatted(name, name, password))).build(), 201);
        Matcher m = ID.matcher(created.headers().firstValue("Location").orElseThrow());
        if (!m.find()) {
            throw new IllegalStateException("Keycloak returned no user id");
        }
        String userId = m.group(1);
        String roleJson = send(HttpRequest.newBuilder(URI.create(base + "/roles/" + role))
                .header("Authorization", "Bearer " + admin).GET().build(), 200).body();
        send(HttpRequest.newBuilder(URI.create(base + "/users/" + userId + "/role-mappings/realm"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + roleJson + "]")).build(), 204);
        return new TestUser(name, userId, KEYCLOAK.getAccessToken(name, password, "civic-app", null));
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
