package org.civiccredit.kit.error;

import java.util.List;

/**
 * A request the domain refuses, with the kind of refusal and, for malformed input, which fields were wrong.
 * Transport adapters turn it into a gRPC status (or, for HTTP, a problem document).
 */
public class Refusal extends RuntimeException {

    /** Why a request was refused; each maps to exactly one gRPC status code. */
    public enum Kind {
        INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, PERMISSION_DENIED
    }

    /** One offending field: a protobuf field path such as {@code rules[3].category} and what is wrong with it. */
    public record FieldViolation(String field, String description) {
    }

    private final Kind kind;
    private final String reason;
    private final List<FieldViolation> violations;

    private Refusal(Kind kind, String reason, String message, List<FieldViolation> violations) {
        super(message, null, false, false);
        this.kind = kind;
        this.reason = reason;
        this.violations = List.copyOf(violations);
    }

    /** Malformed input; every violation is reported, not only the first. */
    public static Refusal invalid(List<FieldViolation> violations) {
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid-argument refusal needs at least one violation");
        }
        String summary = violations.size() == 1
                ? violations.get(0).field() + ": " + violations.get(0).description()
                : violations.size() + " invalid fields, first " + violations.get(0).field() + ": "
                        + violations.get(0).description();
        return new Refusal(Kind.INVALID_ARGUMENT, "INVALID_ARGUMENT", summary, violations);
    }

    public static Refusal invalid(String field, String description) {
        return invalid(List.of(new FieldViolation(field, description)));
    }

    public static Refusal notFound(String message) {
        return new Refusal(Kind.NOT_FOUND, "NOT_FOUND", message, List.of());
    }

    public static Refusal alreadyExists(String message) {
        return new Refusal(Kind.ALREADY_EXISTS, "ALREADY_EXISTS", message, List.of());
    }

    /**
     * The request is well formed but the system's state forbids it.
     *
     * @param reason a stable, machine-readable reason such as {@code AGENCY_SUSPENDED}
     */
    public static Refusal failedPrecondition(String reason, String message) {
        return new Refusal(Kind.FAILED_PRECONDITION, reason, message, List.of());
    }

    public static Refusal permissionDenied(String message) {
        return new Refusal(Kind.PERMISSION_DENIED, "PERMISSION_DENIED", message, List.of());
    }

    public Kind kind() {
        return kind;
    }

    public String reason() {
        return reason;
    }

    public List<FieldViolation> violations() {
        return violations;
    }
}
