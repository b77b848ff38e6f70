package org.civiccredit.reports.config;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Outbox relay settings (application.properties, prefix {@code relay}). */
@ConfigMapping(prefix = "relay")
public interface RelayConfig {

    /** How often a relay pass runs (a Quarkus scheduler interval such as {@code 0.2s}). */
    String every();

    /** Rows claimed per pass. */
    int batchSize();

    /** Longest wait between two attempts at one row. */
    Duration maxBackoff();
}
