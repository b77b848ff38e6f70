package org.civiccredit.reports.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks an evidence reference: a URI (http, https, urn, …) or a content hash {@code sha256:<64 hex>};
 * never the evidence itself (no data: URIs, no inline content).
 */
public final class EvidenceReference {

    public static final int MAX_LENGTH = 2048;
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");

    private EvidenceReference() {
    }

    /** Why {@code ref} is not acceptable, or empty when it is. */
    public static Optional<String> problem(String ref) {
        if (ref.isEmpty()) {
            return Optional.of("required: a URI or sha256:<64 hex> pointing at evidence the agency holds");
        }
        if (ref.length() > MAX_LENGTH) {
            return Optional.of("at most " + MAX_LENGTH + " characters");
        }
        if (ref.startsWith("sha256:")) {
            return SHA256.matcher(ref).matches() ? Optional.empty()
                    : Optional.of("a content hash is sha256: followed by 64 lower-case hex digits");
        }
        try {
            URI uri = new URI(ref);
            String scheme = uri.getScheme();
            if (scheme == null || !SCHEME.matcher(scheme).matches()) {
                return Optional.of("must be an absolute URI or sha256:<64 hex>");
            }
            if (scheme.equals("data") || scheme.equals("javascript")) {
                return Optional.of("a reference, not the evidence itself: " + scheme + ": URIs are refused");
            }
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of("must be an absolute URI or sha256:<64 hex>");
        }
    }
}
