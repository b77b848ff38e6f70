package org.civiccredit.reports.rest;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import io.restassured.response.ValidatableResponse;
import java.util.Locale;

/** What every error answer of the participant HTTP API must be: an RFC 9457 problem document. */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /**
     * Checks that the answer is a problem document with this status and reason about {@code path}, with every
     * standard member present; returns it for checks of its details.
     */
    static ValidatableResponse problem(ValidatableResponse response, int status, String reason, String path) {
        return response.statusCode(status)
                .contentType(MEDIA_TYPE)
                .body("type", equalTo("https://civic-credit.org/problems/"
                        + reason.toLowerCase(Locale.ROOT).replace('_', '-')))
                .body("title", not(emptyOrNullString()))
                .body("status", equalTo(status))
                .body("detail", not(emptyOrNullString()))
                .body("instance", equalTo(path))
                .body("reason", equalTo(reason));
    }
}
