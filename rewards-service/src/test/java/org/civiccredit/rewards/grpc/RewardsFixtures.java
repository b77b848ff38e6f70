package org.civiccredit.rewards.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.keycloak.client.KeycloakTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.civiccredit.api.common.v1.PageRequest;
import org.civiccredit.api.rewards.v1.ListOffersRequest;
import org.civiccredit.api.rewards.v1.MerchantServiceGrpc.MerchantServiceBlockingStub;
import org.civiccredit.api.rewards.v1.Offer;
import org.civiccredit.api.rewards.v1.PublishOfferRequest;
import org.civiccredit.api.rewards.v1.RegisterParticipantRequest;
import org.civiccredit.api.rewards.v1.RewardsInternalServiceGrpc.RewardsInternalServiceBlockingStub;
import org.civiccredit.kit.testing.BearerAuth;
import org.civiccredit.kit.testing.DemoTokens;
import org.civiccredit.kit.testing.TestParticipants;
import org.civiccredit.rewards.service.Wallets;

/**
 * Test data for rewards: enrolled participants (real Keycloak users registered through the internal RPC),
 * merchants (the demo café, or a fresh Keycloak client with its own merchant_id claim), offers, and spendable
 * points (awards dated back past the contest window).
 */
public final class RewardsFixtures {

    /** A participant enrolled with rewards-service, with a real token and its subject. */
    public record Enrolled(String participantId, String token, String subject) {
        public UUID id() {
            return UUID.fromString(participantId);
        }
    }

    /** A merchant onboarded with rewards-service, with a real token carrying its merchant_id. */
    public record TestMerchant(String merchantId, String token) {
    }

    private static final KeycloakTestClient KEYCLOAK = new KeycloakTestClient();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern ID = Pattern.compile("/clients/([0-9a-f-]+)$");

    private RewardsFixtures() {
    }

    public static Enrolled enrolled(RewardsInternalServiceBlockingStub internal) {
        TestParticipants.TestUser user = TestParticipants.create();
        String id = UUID.randomUUID().toString();
        BearerAuth.as(internal, DemoTokens.service()).registerParticipant(RegisterParticipantRequest.newBuilder()
                .setIdempotencyKey("register-" + id).setParticipantId(id).setKeycloakSubject(user.userId()).build());
        return new Enrolled(id, user.token(), user.userId());
    }

    /** Awards points that are spendable now: the award is dated back past the contest window. */
    public static void spendable(Wallets wallets, String participantId, long points) {
        wallets.award("report-" + UUID.randomUUID(), participantId, points, "LIBRARY_SHIFT", 1,
                Instant.now().minus(Duration.ofDays(15)));
    }

    /** Onboards the demo café (once). */
    public static TestMerchant cornerCafe(MerchantServiceBlockingStub merchants) {
        try {
            BearerAuth.as(merchants, DemoTokens.adminClient())
                    .registerMerchant(MerchantGrpcServiceTest.registration("corner-cafe", "merchant-corner-cafe"));
        } catch (StatusRuntimeException alreadyOnboarded) {
            assertThat(alreadyOnboarded.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        }
        return new TestMerchant("corner-cafe", DemoTokens.merchantCornerCafe());
    }

    /** A fresh merchant: a confidential Keycloak client with the merchant role and its own merchant_id claim. */
    public static TestMerchant newMerchant(MerchantServiceBlockingStub merchants) {
        String merchantId = "shop-" + UUID.randomUUID();
        String clientId = "test-" + merchantId;
        String secret = UUID.randomUUID().toString();
        String admin = KEYCLOAK.getAdminAccessToken();
        String base = KEYCLOAK.getAuthServerBaseUrl() + "/admin/realms/civic-credit";
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(base + "/clients"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"clientId":"%s","enabled":true,"protocol":"openid-connect","publicClient":false,
                         "clientAuthenticatorType":"client-secret","secret":"%s","serviceAccountsEnabled":true,
                         "standardFlowEnabled":false,"directAccessGrantsEnabled":false,"fullScopeAllowed":true,
                         "defaultClientScopes":["basic","roles","web-origins","acr","service_account","civic-credit-api"],
                         "protocolMappers":[{"name":"merchant_id","protocol":"openid-connect",
                           "protocolMapper":"oidc-hardcoded-claim-mapper",
                           "config":{"claim.name":"merchant_id","claim.value":"%s","jsonType.label":"String",
                                     "access.token.claim":"true","id.token.claim":"false",
                                     "userinfo.token.claim":"false","introspection.token.claim":"true"}}]}"""
                        .formatted(clientId, secret, merchantId))).build(), 201);
        Matcher m = ID.matcher(created.headers().firstValue("Location").orElseThrow());
        if (!m.find()) {
            throw new IllegalStateException("Keycloak returned no client id");
        }
        String serviceAccount = send(HttpRequest.newBuilder(URI.create(base + "/clients/" + m.group(1)
                + "/service-account-user")).header("Authorization", "Bearer " + admin).GET().build(), 200).body();
        Matcher user = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]+)\"").matcher(serviceAccount);
        if (!user.find()) {
            throw new IllegalStateException("Keycloak returned no service account");
        }
        String role = send(HttpRequest.newBuilder(URI.create(base + "/roles/merchant"))
                .header("Authorization", "Bearer " + admin).GET().build(), 200).body();
        send(HttpRequest.newBuilder(URI.create(base + "/users/" + user.group(1) + "/role-mappings/realm"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + role + "]")).build(), 204);
        BearerAuth.as(merchants, DemoTokens.adminClient())
                .registerMerchant(MerchantGrpcServiceTest.registration(merchantId, clientId));
        return new TestMerchant(merchantId, KEYCLOAK.getClientAccessToken(clientId, secret));
    }

    public static PublishOfferRequest.Builder offer(long cost, long stock) {
        return PublishOfferRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setTitle("Coffee").setDescription("A cup of filter coffee").setPointsCost(cost).setStock(stock);
    }

    public static Offer publish(MerchantServiceBlockingStub merchants, TestMerchant merchant,
            PublishOfferRequest.Builder offer) {
        return BearerAuth.as(merchants, merchant.token()).publishOffer(offer.build());
    }

    /** Asserts that a call is refused with {@code code} and ErrorInfo {@code reason} (null: not checked). */
    static void refused(ThrowingCallable call, Status.Code code, String reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
            if (reason != null) {
                assertThat(reason(e)).as(e.getStatus().toString()).isEqualTo(reason);
            }
        });
    }

    /** The ErrorInfo reason of a refusal (FAILED_PRECONDITION reasons, or the code name). */
    static String reason(Throwable t) {
        return details(t, com.google.rpc.ErrorInfo.class).map(com.google.rpc.ErrorInfo::getReason).findFirst()
                .orElse("");
    }

    /** The fields a refusal's BadRequest names, in order. */
    static List<String> violatedFields(Throwable t) {
        return details(t, com.google.rpc.BadRequest.class).flatMap(b -> b.getFieldViolationsList().stream())
                .map(com.google.rpc.BadRequest.FieldViolation::getField).toList();
    }

    private static <T extends com.google.protobuf.Message> Stream<T> details(Throwable t, Class<T> type) {
        com.google.rpc.Status status = StatusProto.fromThrowable(t);
        if (status == null) {
            return Stream.empty();
        }
        return status.getDetailsList().stream().filter(a -> a.is(type)).map(a -> {
            try {
                return a.unpack(type);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** One of a merchant's own offers as it lists it now (stock remaining included). */
    static Offer ownOffer(MerchantServiceBlockingStub merchants, TestMerchant m, Offer offer) {
        return BearerAuth.as(merchants, m.token()).listOffers(ListOffersRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setPageSize(500)).build()).getOffersList().stream()
                .filter(o -> o.getOfferId().equals(offer.getOfferId())).findFirst().orElseThrow();
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
