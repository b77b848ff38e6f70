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
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
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
        return token(ISSUER, Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", client.getSecret()));
    }

    /** A person created for one test, with a real password-grant token. */
    /** A person made for a test: Keycloak user id (the token subject), username, e-mail and token. */
    public record Person(String userId, String token, String username, String email) {
    }

    /**
     * Creates a user with a realm role through Keycloak's admin API (typed with keycloak-core's
     * representations) and returns their token, so each test owns its participants.
     */
    public static Person newPerson(String role) {
        String admin = token("http://127.0.0.1:8180/realms/master", Map.of("grant_type", "password",
                "client_id", "admin-cli", "username", "admin", "password", "admin"));
        String api = ISSUER.replace("/realms/", "/admin/realms/");
        UserRepresentation user = new UserRepresentation();
        String name = "systest-" + java.util.UUID.randomUUID();
        String password = java.util.UUID.randomUUID().toString();
        user.setUsername(name);
        user.setEnabled(true);
        user.setEmailVerified(true);
        user.setFirstName("System");
        user.setLastName("Test");
        user.setEmail(name + "@example.org");
        CredentialRepresentation credential = new CredentialRepresentation();
        credential.setType(CredentialRepresentation.PASSWORD);
        credential.setValue(password);
        credential.setTemporary(false);
        user.setCredentials(java.util.List.of(credential));
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(api + "/users"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(user))).build(), 201);
        String location = created.headers().firstValue("Location").orElseThrow();
        String userId = location.substring(location.lastIndexOf('/') + 1);
        String roleJson = send(HttpRequest.newBuilder(URI.create(api + "/roles/" + role))
                .header("Authorization", "Bearer " + admin).build(), 200).body();
        send(HttpRequest.newBuilder(URI.create(api + "/users/" + userId + "/role-mappings/realm"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + roleJson + "]")).build(), 204);
        String token = token(ISSUER, Map.of("grant_type", "password", "client_id", "civic-app",
                "username", name, "password", password));
        return new Person(userId, token, name, user.getEmail());
    }

    private static String json(Object value) {
        try {
            return JsonSerialization.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> send(HttpRequest request, int expected) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Parses (without verifying: the services verify) the claims of a token. */
    public static AccessToken claims(String token) {
        try {
            return TokenVerifier.create(token, AccessToken.class).getToken();
        } catch (VerificationException e) {
            throw new IllegalArgumentException("not a JWT access token", e);
        }
    }

    private static String token(String issuer, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/token"))
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
