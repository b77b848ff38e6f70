package org.civiccredit.reports.domain;

/**
 * Small-count suppression of published aggregates: a count above 0 and below the threshold could point at a
 * handful of people, so it is withheld (published as 0, marked suppressed), and so is any rate computed from
 * such a count, which would let the count be recovered. Zero is published as it is: it points at nobody.
 */
public record Suppression(long threshold) {

    /** A count as published. */
    public record Count(long value, boolean suppressed) {
    }

    /** A rate as published. */
    public record Rate(double value, boolean suppressed) {
    }

    public Suppression {
        if (threshold < 1) {
            throw new IllegalArgumentException("the suppression threshold must be at least 1");
        }
    }

    public boolean suppresses(long count) {
        return count > 0 && count < threshold;
    }

    public Count count(long count) {
        return suppresses(count) ? new Count(0, true) : new Count(count, false);
    }

    /**
     * {@code numerator / (sum of denominatorParts)} (0 when that sum is 0), withheld if the numerator, the
     * denominator or any part of the denominator is a suppressed count — a part would be recoverable from the
     * rate and the other published counts.
     */
    public Rate rate(long numerator, long... denominatorParts) {
        long denominator = 0;
        boolean withheld = suppresses(numerator);
        for (long part : denominatorParts) {
            denominator += part;
            withheld |= suppresses(part);
        }
        if (withheld || suppresses(denominator)) {
            return new Rate(0, true);
        }
        return new Rate(denominator == 0 ? 0 : (double) numerator / denominator, false);
    }
}
