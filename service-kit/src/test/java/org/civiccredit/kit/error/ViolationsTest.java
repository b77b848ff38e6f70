package org.civiccredit.kit.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ViolationsTest {

    @Test
    void aTextMustBeThereNotBlankAndNoLongerThanItsLimit() {
        Violations v = new Violations()
                .requireText("", 4, "empty")
                .requireText("   ", 4, "blank")
                .requireText("abcde", 4, "too_long")
                .requireText("abcd", 4, "at_limit")
                .requireText("a", 4, "one");

        assertThatThrownBy(v::throwIfAny).isInstanceOfSatisfying(Refusal.class, r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.INVALID_ARGUMENT);
            assertThat(r.violations()).containsExactly(
                    new Refusal.FieldViolation("empty", "required, 1 to 4 characters"),
                    new Refusal.FieldViolation("blank", "required, 1 to 4 characters"),
                    new Refusal.FieldViolation("too_long", "required, 1 to 4 characters"));
        });
    }

    @Test
    void aRequestWithEveryTextInBoundsPasses() {
        Violations v = new Violations().requireText("report-1", 64, "report_id");
        assertThat(v.isEmpty()).isTrue();
        v.throwIfAny();
    }
}
