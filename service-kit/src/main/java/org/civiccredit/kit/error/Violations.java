package org.civiccredit.kit.error;

import java.util.ArrayList;
import java.util.List;

/** Collects every field violation of one request, then refuses it as a whole if any were found. */
public final class Violations {

    private final List<Refusal.FieldViolation> found = new ArrayList<>();

    public Violations add(String field, String description) {
        found.add(new Refusal.FieldViolation(field, description));
        return this;
    }

    /** Adds a violation when {@code condition} is false. */
    public Violations require(boolean condition, String field, String description) {
        if (!condition) {
            add(field, description);
        }
        return this;
    }

    /**
     * Requires a text of 1 to {@code maxLength} characters, not blank: an id, a code or a reason a request must
     * carry. {@code value} is a proto string field, never null.
     */
    public Violations requireText(String value, int maxLength, String field) {
        return require(!value.isBlank() && value.length() <= maxLength, field,
                "required, 1 to " + maxLength + " characters");
    }

    public boolean isEmpty() {
        return found.isEmpty();
    }

    /** Throws an INVALID_ARGUMENT refusal naming every violation found so far. */
    public void throwIfAny() {
        if (!found.isEmpty()) {
            throw Refusal.invalid(found);
        }
    }
}
