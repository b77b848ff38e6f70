package org.civiccredit.kit.rest;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the participant HTTP API names the inputs that gRPC names by protobuf field path, so a problem's field
 * violations point at what the HTTP client actually sent: the idempotency key is the {@code Idempotency-Key}
 * header, paging is the {@code pageSize} and {@code pageToken} query parameters, and every other field has its
 * proto3 JSON name ({@code consent_version} becomes {@code consentVersion}, {@code statuses[2]} stays).
 */
public final class HttpFields {

    /** The header that carries a mutating request's idempotency key (gRPC: field {@code idempotency_key}). */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** Query parameter of the page size of a list. */
    public static final String PAGE_SIZE = "pageSize";

    /** Query parameter of the page token of a list. */
    public static final String PAGE_TOKEN = "pageToken";

    private static final Map<String, String> RENAMED = Map.of("idempotency_key", IDEMPOTENCY_KEY,
            "page.page_size", PAGE_SIZE, "page.page_token", PAGE_TOKEN);
    private static final Pattern SNAKE = Pattern.compile("_([a-z0-9])");

    private HttpFields() {
    }

    /** The HTTP name of a protobuf field path. */
    public static String of(String fieldPath) {
        String renamed = RENAMED.get(fieldPath);
        if (renamed != null) {
            return renamed;
        }
        Matcher m = SNAKE.matcher(fieldPath);
        StringBuilder camel = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(camel, m.group(1).toUpperCase(java.util.Locale.ROOT));
        }
        return m.appendTail(camel).toString();
    }

    /** The value of the idempotency key header, or empty when it is absent (refused as a violation on it). */
    public static String idempotencyKey(String header) {
        return header == null ? "" : header;
    }
}
