package org.civiccredit.scoring.cache;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.civiccredit.scoring.config.ScoringConfig;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * What the near cache of live scores holds, for operators and the load driver ({@code /q/health/well}): whether it
 * tracks Redis, how many entries it holds of how many it may, whether its warmer is walking Redis, and how many
 * reads it and Redis answered. Informational: a cold or untracked near cache only means reads go to Redis, so it
 * never makes the instance unready.
 */
@Wellness
@ApplicationScoped
public class NearScoresHealth implements HealthCheck {

    @Inject
    NearScores near;

    @Inject
    NearScoreWarmer warmer;

    @Inject
    ScoringConfig config;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("live scores near cache").up()
                .withData("tracking", near.tracking())
                .withData("held", near.size())
                .withData("max", config.live().nearMaxEntries())
                .withData("walking", warmer.walking())
                .withData("hits", near.hits())
                .withData("redis_answers", near.redisAnswers())
                .build();
    }
}
