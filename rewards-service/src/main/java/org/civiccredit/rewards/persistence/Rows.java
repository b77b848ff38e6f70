package org.civiccredit.rewards.persistence;

import java.util.UUID;

/**
 * Reads the column values native queries return, whatever Java type the driver chose (timestamps: the kit's
 * {@code NativeReads.instant}).
 */
final class Rows {

    private Rows() {
    }

    static long toLong(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    static UUID toUuid(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof UUID u ? u : UUID.fromString(value.toString());
    }
}
