package org.civiccredit.kit.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.civiccredit.kit.error.Refusal;

/**
 * An RFC 9457 problem document, the body of every error answer of the participant HTTP API. Besides the
 * standard members it carries the same machine-readable {@code reason} a gRPC caller gets in ErrorInfo, the
 * field violations a gRPC caller gets in BadRequest, and, for unexpected failures only, an error id to quote
 * to support (never a stack trace or internal message).
 *
 * @param type a URI naming the kind of problem, {@code TYPE_BASE + reason in kebab case}
 * @param title a short, fixed summary of that kind
 * @param status the HTTP status code
 * @param detail what went wrong with this request, for a human
 * @param instance the request path
 * @param reason the stable machine-readable reason, e.g. {@code PARTICIPANT_NOT_ENROLLED}
 * @param violations each offending field and what is wrong with it (INVALID_ARGUMENT only)
 * @param errorId identifier of an unexpected failure in the service's log
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, String reason,
        List<Refusal.FieldViolation> violations, String errorId) {

    /** Media type of problem documents. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** Base of every problem type URI; the documentation of each reason lives under it. */
    public static final String TYPE_BASE = "https://civic-credit.org/problems/";

    /** A problem of the given reason. */
    public static Problem of(int status, String title, String reason, String detail, String instance,
            List<Refusal.FieldViolation> violations, String errorId) {
        return new Problem(TYPE_BASE + reason.toLowerCase(java.util.Locale.ROOT).replace('_', '-'), title, status,
                detail, instance, reason, violations, errorId);
    }

    /** This problem as a response with the problem media type. */
    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
