package org.civiccredit.kit.grpc;

import io.quarkus.vertx.web.RouteFilter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses an {@code Authorization: Bearer} header with no token as 401 (UNAUTHENTICATED for gRPC clients)
 * before authentication runs; Quarkus' OIDC layer would otherwise fail on it with a 500 (UNKNOWN).
 */
public class EmptyBearerFilter {

    @RouteFilter(Integer.MAX_VALUE)
    void refuseEmptyBearer(RoutingContext rc) {
        String authorization = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer", 0, 6)
                && authorization.substring(6).isBlank()) {
            rc.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer").end();
            return;
        }
        rc.next();
    }
}
