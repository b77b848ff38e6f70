package org.civiccredit.rewards.rest;

import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.restassured.response.ValidatableResponse;
import java.util.List;
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

    /** The fields a 400 problem names, in order. */
    static List<String> violatedFields(ValidatableResponse response) {
        return response.extract().jsonPath().getList("violations.field", String.class);
    }

    /**
     * How a violation may name a field: by its protobuf name, or, once service-kit maps names to what the HTTP
     * client sent, by that (the {@code Idempotency-Key} header, or the proto3 JSON name of a parameter).
     */
    static String[] namesOf(String protoField, String httpName) {
        return new String[] { protoField, httpName };
    }
}
