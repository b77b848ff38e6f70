package org.civiccredit.kit.paging;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.civiccredit.kit.error.Refusal;

/**
 * A validated page request: its size (0 means 50, capped at 500) and the cursor carried by an opaque page
 * token. Tokens are bound to the list they came from by a prefix, so a token from another list or a
 * tampered one is refused on field {@code page.page_token}.
 */
public record Page(int size, String cursor) {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 500;

    /**
     * @param list names the listing and its filters, e.g. {@code "rule-tables"}; part of every token
     */
    public static Page of(int requestedSize, String token, String list) {
        if (requestedSize < 0) {
            throw Refusal.invalid("page.page_size", "must be 0 (default " + DEFAULT_SIZE + ") or more");
        }
        int size = requestedSize == 0 ? DEFAULT_SIZE : Math.min(requestedSize, MAX_SIZE);
        if (token == null || token.isEmpty()) {
            return new Page(size, "");
        }
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw Refusal.invalid("page.page_token", "not a token issued by this list");
        }
        String prefix = list + "|";
        if (!decoded.startsWith(prefix) || decoded.length() == prefix.length()) {
            throw Refusal.invalid("page.page_token", "not a token issued by this list");
        }
        return new Page(size, decoded.substring(prefix.length()));
    }

    public boolean first() {
        return cursor.isEmpty();
    }

    /** The token that continues {@code list} after {@code cursor}. */
    public static String token(String list, String cursor) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((list + "|" + cursor).getBytes(StandardCharsets.UTF_8));
    }
}
