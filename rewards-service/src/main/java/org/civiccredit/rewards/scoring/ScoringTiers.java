package org.civiccredit.rewards.scoring;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.civiccredit.api.scoring.v1.GetRuleTableRequest;
import org.civiccredit.api.scoring.v1.GetScoreRequest;
import org.civiccredit.api.scoring.v1.RuleTableServiceGrpc.RuleTableServiceBlockingStub;
import org.civiccredit.api.scoring.v1.Score;
import org.civiccredit.api.scoring.v1.ScoreServiceGrpc.ScoreServiceBlockingStub;
import org.civiccredit.kit.grpc.GrpcErrorMapping;
import org.civiccredit.kit.outbox.ServiceTokenInterceptor;
import org.civiccredit.rewards.config.RewardsConfig;
import org.civiccredit.rewards.domain.Tier;
import org.jboss.logging.Logger;

/**
 * What rewards-service reads from scoring-service, which owns rule tables and scores: the current rule table's
 * tiers and one participant's current tier, each call carrying rewards-service's own service token. Whatever
 * keeps an answer from arriving (scoring-service down or slow, a refused token, no token to be had) is
 * UNAVAILABLE with reason SCORING_UNAVAILABLE, so a tier is never assumed.
 */
@ApplicationScoped
public class ScoringTiers {

    private static final Logger LOG = Logger.getLogger(ScoringTiers.class);

    @Inject
    @GrpcClient("scoring")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    RuleTableServiceBlockingStub ruleTables;

    @Inject
    @GrpcClient("scoring")
    @RegisterClientInterceptor(ServiceTokenInterceptor.class)
    ScoreServiceBlockingStub scores;

    @Inject
    RewardsConfig config;

    /** The current rule table's tiers by name, ascending by threshold; empty while no table is published. */
    public Map<String, Long> currentTiers() {
        return call("GetRuleTable", () -> {
            Map<String, Long> tiers = new LinkedHashMap<>();
            deadline(ruleTables).getRuleTable(GetRuleTableRequest.newBuilder().setVersion(0).build()).getTiersList()
                    .forEach(t -> tiers.put(t.getName(), t.getThreshold()));
            return tiers;
        }, Map.of());
    }

    /** The participant's current tier; empty below every tier or when scoring-service does not know them. */
    public Optional<Tier> tierOf(UUID participantId) {
        return call("GetScore", () -> {
            Score score = deadline(scores).getScore(GetScoreRequest.newBuilder()
                    .setParticipantId(participantId.toString()).build());
            return score.hasTier() ? Optional.of(new Tier(score.getTier().getName(), score.getTier().getThreshold()))
                    : Optional.<Tier>empty();
        }, Optional.empty());
    }

    private <S extends io.grpc.stub.AbstractStub<S>> S deadline(S stub) {
        return stub.withDeadlineAfter(config.scoring().deadline().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs one call; NOT_FOUND means {@code notFound}, anything else but an answer is SCORING_UNAVAILABLE. */
    private static <T> T call(String rpc, Supplier<T> call, T notFound) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return notFound;
            }
            throw unavailable(rpc, e);
        } catch (RuntimeException e) {
            // E.g. no service token could be obtained from Keycloak.
            throw unavailable(rpc, e);
        }
    }

    private static StatusRuntimeException unavailable(String rpc, RuntimeException cause) {
        LOG.warnf("scoring-service %s failed, tier check refused: %s", rpc, cause.toString());
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.UNAVAILABLE.value())
                .setMessage("the tier check cannot reach scoring-service; try again shortly")
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("SCORING_UNAVAILABLE")
                        .setDomain(GrpcErrorMapping.ERROR_DOMAIN).build()))
                .build());
    }
}
