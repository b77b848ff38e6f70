package org.civiccredit.rewards.service;

import java.time.Instant;
import java.util.UUID;
import org.civiccredit.kit.error.Refusal;

/** Position in a newest-first listing: a time and the id that breaks ties; the cursor of a page token. */
record ListCursor(Instant at, UUID id) {

    String format() {
        return at.getEpochSecond() + ":" + at.getNano() + ":" + id;
    }

    static ListCursor parse(String text) {
        try {
            String[] parts = text.split(":", 3);
            return new ListCursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
                    UUID.fromString(parts[2]));
        } catch (RuntimeException e) {
            throw Refusal.invalid("page.page_token", "not a token issued by this list");
        }
    }
}
