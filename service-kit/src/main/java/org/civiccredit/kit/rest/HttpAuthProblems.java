package org.civiccredit.kit.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Gives the participant HTTP API a problem document also when a request is refused by the HTTP security layer
 * before any endpoint runs — a malformed, forged, unsigned or expired bearer token — which JAX-RS exception
 * mappers never see. Only paths under {@link #API_PREFIX} are touched; gRPC keeps its own status mapping.
 *
 * <p>A request with no token at all is not a failure to the security layer: a path permission that requires
 * authentication answers it with a bare 401 challenge, past any failure handler. So each service leaves
 * {@code /api/*} to its endpoints' own {@code @RolesAllowed}/{@code @Authenticated} ({@code
 * quarkus.http.auth.permission.api.paths=/api/*} with policy {@code permit}, and {@code
 * quarkus.security.jaxrs.deny-unannotated-endpoints=true} as the safety net); the endpoint's security check then
 * throws, and {@link ProblemMapping} answers with the 401 problem.
 */
@ApplicationScoped
public class HttpAuthProblems {

    /** Where the HTTP API lives. */
    public static final String API_PREFIX = "/api/";

    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        router.route(API_PREFIX + "*").order(-1000).failureHandler(ctx -> {
            Throwable failure = ctx.failure();
            boolean authFailure = failure instanceof AuthenticationFailedException
                    || failure instanceof UnauthorizedException || failure instanceof AuthenticationCompletionException
                    || (failure == null && ctx.statusCode() == 401);
            if (!authFailure || ctx.response().ended()) {
                ctx.next();
                return;
            }
            Problem problem = Problem.of(401, "Unauthenticated", "UNAUTHENTICATED",
                    "a valid bearer token is required", ctx.normalizedPath(), List.of(), null);
            try {
                ctx.response().setStatusCode(401).putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("WWW-Authenticate", "Bearer").end(json.writeValueAsString(problem));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                ctx.next();
            }
        });
    }
}
