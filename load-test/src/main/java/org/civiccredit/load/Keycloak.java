package org.civiccredit.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The running Keycloak, as the driver uses it: real tokens by client credentials (agencies, merchant, admin,
 * service clients, with the demo secrets of the realm file) or by password (participants through the public
 * client civic-app), and the admin API for the driver's own participant users.
 */
public final class Keycloak {

    /** A token response: the access token, its lifetime and, for password grants, the refresh token. */
    public record Grant(String accessToken, Duration lifetime, String refreshToken) {
    }

    private final String realmUrl;
    private final String baseUrl;
    private final Path realmFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param realmUrl e.g. {@code http://127.0.0.1:8180/realms/civic-credit} */
    public Keycloak(String realmUrl, Path realmFile) {
        this.realmUrl = Loopback.requireUrl(realmUrl);
        this.baseUrl = realmUrl.substring(0, realmUrl.indexOf("/realms/"));
        this.realmFile = realmFile;
    }

    /** A self-refreshing client-credentials token of a demo client. */
    public RefreshingToken client(String clientId) {
        String secret = demoSecret(clientId);
        return new RefreshingToken(clientId, previous -> grant(Map.of("grant_type", "client_credentials",
                "client_id", clientId, "client_secret", secret)));
    }

    /** A self-refreshing password token of a user, through the public client civic-app. */
    public RefreshingToken user(String username, String password) {
        return new RefreshingToken(username, previous -> {
            if (previous != null && previous.refreshToken() != null) {
                try {
                    return grant(Map.of("grant_type", "refresh_token", "client_id", "civic-app",
                            "refresh_token", previous.refreshToken()));
                } catch (IllegalStateException expired) {
                    // The session ended: log in again below.
                }
            }
            return grant(Map.of("grant_type", "password", "client_id", "civic-app", "username", username,
                    "password", password));
        });
    }

    /**
     * Makes sure a user with the participant role exists and has {@code password}; returns its id. Creates it
     * on the first run, resets the password on later runs (the driver never stores passwords).
     */
    public String ensureParticipantUser(String adminToken, String username, String password) {
        String users = baseUrl + "/admin/realms/civic-credit/users";
        JsonArray found = JsonParser.parseString(send(HttpRequest.newBuilder(URI.create(users + "?exact=true&username="
                + URLEncoder.encode(username, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + adminToken)
                .GET().build(), 200)).getAsJsonArray();
        String credential = "{\"type\":\"password\",\"value\":\"" + password + "\",\"temporary\":false}";
        String id;
        if (found.isEmpty()) {
            send(HttpRequest.newBuilder(URI.create(users)).header("Authorization", "Bearer " + adminToken)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                            {"username":"%s","enabled":true,"emailVerified":true,"firstName":"Load",
                             "lastName":"Participant","email":"%s@load.invalid","credentials":[%s]}"""
                            .formatted(username, username, credential)))
                    .build(), 201);
            id = JsonParser.parseString(send(HttpRequest.newBuilder(URI.create(users + "?exact=true&username="
                    + username)).header("Authorization", "Bearer " + adminToken).GET().build(), 200))
                    .getAsJsonArray().get(0).getAsJsonObject().get("id").getAsString();
            String roles = baseUrl + "/admin/realms/civic-credit/roles/participant";
            String role = send(HttpRequest.newBuilder(URI.create(roles))
                    .header("Authorization", "Bearer " + adminToken).GET().build(), 200);
            send(HttpRequest.newBuilder(URI.create(users + "/" + id + "/role-mappings/realm"))
                    .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("[" + role + "]")).build(), 204);
        } else {
            id = found.get(0).getAsJsonObject().get("id").getAsString();
            send(HttpRequest.newBuilder(URI.create(users + "/" + id + "/reset-password"))
                    .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(credential)).build(), 204);
        }
        return id;
    }

    /** An admin token of the master realm (the dev Keycloak's bootstrap admin, admin/admin unless told). */
    public String masterAdminToken() {
        String user = System.getenv().getOrDefault("KEYCLOAK_ADMIN_USER", "admin");
        String password = System.getenv().getOrDefault("KEYCLOAK_ADMIN_PASSWORD", "admin");
        return post(baseUrl + "/realms/master/protocol/openid-connect/token", Map.of("grant_type", "password",
                "client_id", "admin-cli", "username", user, "password", password)).accessToken();
    }

    private Grant grant(Map<String, String> form) {
        return post(realmUrl + "/protocol/openid-connect/token", form);
    }

    private Grant post(String url, Map<String, String> form) {
        String body = new LinkedHashMap<>(form).entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        JsonObject json = JsonParser.parseString(send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 200)).getAsJsonObject();
        JsonElement refresh = json.get("refresh_token");
        return new Grant(json.get("access_token").getAsString(), Duration.ofSeconds(json.get("expires_in").getAsLong()),
                refresh == null ? null : refresh.getAsString());
    }

    private String send(HttpRequest request, int expected) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " answered "
                        + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak unreachable at " + baseUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Demo convenience: the secret the repository's demo realm file gives a client. */
    private String demoSecret(String clientId) {
        try {
            for (JsonElement c : JsonParser.parseString(Files.readString(realmFile)).getAsJsonObject()
                    .getAsJsonArray("clients")) {
                JsonObject client = c.getAsJsonObject();
                if (clientId.equals(client.get("clientId").getAsString()) && client.has("secret")) {
                    return client.get("secret").getAsString();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("no demo realm file at " + realmFile, e);
        }
        throw new IllegalArgumentException("the demo realm has no secret for " + clientId);
    }
}
