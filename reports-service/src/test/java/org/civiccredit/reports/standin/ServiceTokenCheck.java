package org.civiccredit.reports.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.test.keycloak.client.KeycloakTestClient;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Accepts a call only with a bearer token that verifies as the real services verify it: an RS256 signature by
 * one of the realm's published keys, the realm as issuer, not expired, and realm role {@code service};
 * everything else is closed with UNAUTHENTICATED or PERMISSION_DENIED, as the real services answer.
 */
final class ServiceTokenCheck implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Decoder B64 = Base64.getUrlDecoder();

    private final List<String> verifiedCallers;
    private final String realm = new KeycloakTestClient().getAuthServerUrl();
    private final JsonNode keys = fetch(realm + "/protocol/openid-connect/certs").path("keys");

    ServiceTokenCheck(List<String> verifiedCallers) {
        this.verifiedCallers = verifiedCallers;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String authorization = headers.get(AUTHORIZATION);
        JsonNode claims = authorization != null && authorization.startsWith("Bearer ")
                ? verified(authorization.substring("Bearer ".length())) : null;
        if (claims == null) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("no valid bearer token"));
        }
        boolean service = false;
        for (JsonNode role : claims.path("realm_access").path("roles")) {
            service |= role.asText().equals("service");
        }
        if (!service) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription("not a service token"));
        }
        verifiedCallers.add(call.getMethodDescriptor().getBareMethodName() + " by " + claims.path("azp").asText());
        return next.startCall(call, headers);
    }

    /** The token's claims if it verifies, else null. */
    private JsonNode verified(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode header = JSON.readTree(B64.decode(parts[0]));
            JsonNode claims = JSON.readTree(B64.decode(parts[1]));
            if (!"RS256".equals(header.path("alg").asText()) || !realm.equals(claims.path("iss").asText())
                    || claims.path("exp").asLong() <= Instant.now().getEpochSecond()) {
                return null;
            }
            for (JsonNode key : keys) {
                if (key.path("kid").asText().equals(header.path("kid").asText())) {
                    Signature rs256 = Signature.getInstance("SHA256withRSA");
                    rs256.initVerify(rsa(key));
                    rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
                    return rs256.verify(B64.decode(parts[2])) ? claims : null;
                }
            }
            return null;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static PublicKey rsa(JsonNode jwk) throws GeneralSecurityException {
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, B64.decode(jwk.path("n").asText())),
                new BigInteger(1, B64.decode(jwk.path("e").asText()))));
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private static JsonNode fetch(String url) {
        try {
            return JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
