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
