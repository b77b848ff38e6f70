package org.civiccredit.rewards.grpc;

import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.keycloak.client.KeycloakTestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.RuleTable;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc;
import org.civiccredit.api.scoring.v1.Tier;
import org.civiccredit.kit.grpc.ProtoTime;
import org.civiccredit.kit.testing.BearerAuth;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;

/**
 * scoring-service's side of the tier check, on a real port: GetRuleTable and GetScore as
 * {@code scoring/v1/*.proto} specifies them for a service caller (NOT_FOUND with no table or an unknown
 * participant; a score's tier is the highest one its value reaches). A rewards test cannot start scoring-service
 * itself (one Quarkus application per JVM), so this stands in for it — and, like scoring-service, accepts only a
 * bearer token Keycloak signed for the API (verified against the realm's published keys), GetScore only with role
 * {@code service}. Tests set the published tiers and participants' scores, and read which client called.
 */
public class ScoringStandIn implements QuarkusTestResourceLifecycleManager {

    /** One call answered: the RPC, the participant asked about (GetScore), and the calling Keycloak client. */
    public record Call(String rpc, String participantId, String client) {
    }

    private record Caller(String client, List<String> roles) {
    }

    private static final Queue<Call> CALLS = new ConcurrentLinkedQueue<>();
    private static final Map<String, Long> SCORES = new ConcurrentHashMap<>();
    private static volatile RuleTable table;
    private static final io.grpc.Context.Key<Caller> CALLER = io.grpc.Context.key("caller");

    private static volatile int port;

    private Server server;

    /** Publishes a rule table whose tiers are {@code tiers} (name, threshold; ascending) as the next version. */
    public static void publish(Map<String, Long> tiers) {
        RuleTable.Builder next = RuleTable.newBuilder().setVersion(table == null ? 1 : table.getVersion() + 1)
                .setPublishedAt(ProtoTime.timestamp(Instant.now())).setPublishedBy("stand-in");
        tiers.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(t -> next.addTiers(Tier.newBuilder().setName(t.getKey()).setThreshold(t.getValue())));
        table = next.build();
    }

    /** Sets a participant's current score (registering them with scoring-service). */
    public static void score(String participantId, long score) {
        SCORES.put(participantId, score);
    }

    /** The port it listens on. */
    public static int port() {
        return port;
    }

    /** The calls answered so far about {@code participantId}. */
    public static List<Call> callsAbout(String participantId) {
        return CALLS.stream().filter(c -> participantId.equals(c.participantId())).toList();
    }

    @Override
    public Map<String, String> start() {
        try {
            server = ServerBuilder.forPort(0)
                    .addService(ServerInterceptors.intercept(new Scores(), new TokenCheck()))
                    .addService(ServerInterceptors.intercept(new RuleTables(), new TokenCheck()))
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        port = server.getPort();
        // In test mode a gRPC client connects to its test-port.
        return Map.of("quarkus.grpc.clients.scoring.test-port", Integer.toString(server.getPort()),
                "quarkus.grpc.clients.scoring.host", "127.0.0.1");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    /** Verifies the bearer token as scoring-service's OIDC check does: signature, issuer, audience, expiry. */
    private static final class TokenCheck implements ServerInterceptor {

        private static volatile JwtConsumer consumer;

        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                ServerCallHandler<ReqT, RespT> next) {
            String authorization = headers.get(BearerAuth.AUTHORIZATION);
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                call.close(Status.UNAUTHENTICATED.withDescription("no bearer token"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            Caller caller;
            try {
                JwtClaims claims = consumer().processToClaims(authorization.substring("Bearer ".length()));
                Object access = claims.getClaimValue("realm_access");
                List<String> roles = access instanceof Map<?, ?> m && m.get("roles") instanceof List<?> l
                        ? l.stream().map(String::valueOf).toList() : List.of();
                caller = new Caller(claims.getStringClaimValue("azp"), roles);
            } catch (InvalidJwtException | MalformedClaimException e) {
                call.close(Status.UNAUTHENTICATED.withDescription("token refused: " + e.getMessage()), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            return Contexts.interceptCall(io.grpc.Context.current().withValue(CALLER, caller), call, headers, next);
        }

        private static JwtConsumer consumer() {
            if (consumer == null) {
                String issuer = new KeycloakTestClient().getAuthServerUrl();
                consumer = new JwtConsumerBuilder()
                        .setRequireExpirationTime()
                        .setExpectedIssuer(issuer)
                        .setExpectedAudience("civic-credit-api")
                        .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                                AlgorithmIdentifiers.RSA_USING_SHA256)
                        .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(
                                new HttpsJwks(issuer + "/protocol/openid-connect/certs")))
                        .build();
            }
            return consumer;
        }
    }

    private static final class Scores extends ScoreServiceGrpc.ScoreServiceImplBase {

        @Override
        public void getScore(GetScoreRequest request, StreamObserver<Score> response) {
            Caller caller = CALLER.get();
            if (!caller.roles().contains("service")) {
                response.onError(Status.PERMISSION_DENIED.withDescription("service callers only here")
                        .asRuntimeException());
                return;
            }
            if (request.getParticipantId().isEmpty()) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("participant_id: required for service "
                        + "callers").asRuntimeException());
                return;
            }
            CALLS.add(new Call("GetScore", request.getParticipantId(), caller.client()));
            Long value = SCORES.get(request.getParticipantId());
            if (value == null) {
                response.onError(Status.NOT_FOUND.withDescription("no participant " + request.getParticipantId())
                        .asRuntimeException());
                return;
            }
            Score.Builder score = Score.newBuilder().setParticipantId(request.getParticipantId()).setScore(value)
                    .setVersion(1).setAsOf(ProtoTime.timestamp(Instant.now()));
            for (Tier tier : table == null ? List.<Tier>of() : table.getTiersList()) {
                if (tier.getThreshold() <= value) {
                    score.setTier(tier);
                } else {
                    score.setNextTierName(tier.getName()).setPointsToNextTier(tier.getThreshold() - value);
                    break;
                }
            }
            response.onNext(score.build());
            response.onCompleted();
        }
    }

    private static final class RuleTables extends RuleTableServiceGrpc.RuleTableServiceImplBase {

        @Override
        public void getRuleTable(GetRuleTableRequest request, StreamObserver<RuleTable> response) {
            CALLS.add(new Call("GetRuleTable", "", CALLER.get().client()));
            RuleTable current = table;
            if (current == null || (request.getVersion() != 0 && request.getVersion() != current.getVersion())) {
                response.onError(Status.NOT_FOUND.withDescription("no such rule table").asRuntimeException());
                return;
            }
            response.onNext(current);
            response.onCompleted();
        }
    }
}
