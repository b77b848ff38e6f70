package org.civiccredit.kit.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.UUID;
import org.civiccredit.kit.error.Refusal;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure of an HTTP endpoint into an RFC 9457 problem document with the status a REST client
 * expects: a domain {@link Refusal} keeps its reason and field violations; a downstream gRPC status keeps its
 * meaning; security failures become 401/403; malformed bodies 400; anything unexpected 500 with an error id
 * only. The status of each refusal kind: INVALID_ARGUMENT 400, NOT_FOUND 404, ALREADY_EXISTS 409,
 * FAILED_PRECONDITION 409 (the request conflicts with the current state), PERMISSION_DENIED 403. Field
 * violations name fields as the HTTP client sent them ({@link HttpFields}).
 */
public class ProblemMapping {

    private static final Logger LOG = Logger.getLogger(ProblemMapping.class);

    @ServerExceptionMapper
    public Response refusal(Refusal r, UriInfo uri) {
        return switch (r.kind()) {
            case INVALID_ARGUMENT -> {
                List<Refusal.FieldViolation> violations = r.violations().stream()
                        .map(v -> new Refusal.FieldViolation(HttpFields.of(v.field()), v.description())).toList();
                yield Problem.of(400, "Invalid request", r.reason(), Refusal.invalid(violations).getMessage(),
                        path(uri), violations, null).toResponse();
            }
            case NOT_FOUND -> Problem.of(404, "Not found", r.reason(), r.getMessage(), path(uri), List.of(), null)
                    .toResponse();
            case ALREADY_EXISTS -> Problem.of(409, "Already exists", r.reason(), r.getMessage(), path(uri),
                    List.of(), null).toResponse();
            case FAILED_PRECONDITION -> Problem.of(409, "Not possible in the current state", r.reason(),
                    r.getMessage(), path(uri), List.of(), null).toResponse();
            case PERMISSION_DENIED -> Problem.of(403, "Forbidden", r.reason(), r.getMessage(), path(uri), List.of(),
                    null).toResponse();
        };
    }

    /** A failure reported by another service this endpoint called. */
    @ServerExceptionMapper
    public Response downstream(StatusRuntimeException e, UriInfo uri) {
        Status.Code code = e.getStatus().getCode();
        return switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED -> Problem.of(503, "Temporarily unavailable", "UNAVAILABLE",
                    "a service this request needs is unavailable; retry shortly", path(uri), List.of(), null)
                    .toResponse();
            case NOT_FOUND -> Problem.of(404, "Not found", "NOT_FOUND", e.getStatus().getDescription(), path(uri),
                    List.of(), null).toResponse();
            case FAILED_PRECONDITION -> Problem.of(409, "Not possible in the current state", "FAILED_PRECONDITION",
                    e.getStatus().getDescription(), path(uri), List.of(), null).toResponse();
            default -> unexpected(e, uri);
        };
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthenticated(RuntimeException e, UriInfo uri) {
        return Response.fromResponse(Problem.of(401, "Unauthenticated", "UNAUTHENTICATED",
                "a valid bearer token is required", path(uri), List.of(), null).toResponse())
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return Problem.of(403, "Forbidden", "PERMISSION_DENIED", "your role may not call this endpoint", path(uri),
                List.of(), null).toResponse();
    }

    /**
     * A body that is not the JSON the endpoint reads. Listed with Jackson's MismatchedInputException too, which
     * Quarkus would otherwise answer with its own (non-problem) body.
     */
    @ServerExceptionMapper({ JsonProcessingException.class, MismatchedInputException.class })
    public Response unreadable(JsonProcessingException e, UriInfo uri) {
        return Problem.of(400, "Invalid request", "INVALID_ARGUMENT", "the request body is not valid JSON of the "
                + "expected shape", path(uri), List.of(new Refusal.FieldViolation("body", e.getOriginalMessage())),
                null).toResponse();
    }

    /** JAX-RS' own answers (unknown path 404, wrong method 405, unsupported media type 415, ...). */
    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException unreadableBody) {
            return unreadable(unreadableBody, uri);
        }
        if (status >= 500) {
            return unexpected(e, uri);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Request refused" : known.getReasonPhrase();
        String reason = known == null ? "HTTP_" + status : known.name();
        return Problem.of(status, title, reason, e.getMessage(), path(uri), List.of(), null).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure %s on %s", errorId, path(uri));
        return Problem.of(500, "Internal error", "INTERNAL", "an unexpected error occurred; quote the error id",
                path(uri), List.of(), errorId).toResponse();
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }
}
