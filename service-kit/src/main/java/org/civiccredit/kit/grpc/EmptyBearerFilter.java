package org.civiccredit.kit.grpc;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses an {@code Authorization: Bearer} header with no token as 401 (UNAUTHENTICATED for gRPC clients)
 * before authentication runs; Quarkus' OIDC layer would otherwise fail on it with a 500 (UNKNOWN).
 *
 * <p>Registered as a plain Vert.x HTTP filter rather than a {@code @RouteFilter}: a route filter runs inside a
 * CDI request context that it activates itself, and the gRPC call it passes on to ({@code rc.next()}) then
 * started with that context still active — every call logged "Request context already active when gRPC request
 * started" and paid for the extra context. A plain filter activates nothing.
 */
@ApplicationScoped
public class EmptyBearerFilter {

    /** Runs before every other filter and route (gRPC on the HTTP server included). */
    static final int PRIORITY = Integer.MAX_VALUE;

    void register(@Observes Filters filters) {
        filters.register(EmptyBearerFilter::refuseEmptyBearer, PRIORITY);
    }

    static void refuseEmptyBearer(RoutingContext rc) {
        String authorization = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer", 0, 6)
                && authorization.substring(6).isBlank()) {
            rc.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer").end();
            return;
        }
        rc.next();
    }
}
