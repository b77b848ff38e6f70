package org.civiccredit.kit.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Outbox relay settings (application.properties, prefix {@code relay}). */
@ConfigMapping(prefix = "relay")
public interface RelayConfig {

    /** How often a relay pass runs (a Quarkus scheduler interval such as {@code 0.2s}). */
    @WithDefault("0.2s")
    String every();

    /** Streams handled per pass. */
    @WithDefault("200")
    int batchSize();

    /** Longest wait between two attempts at one row. */
    @WithDefault("PT30S")
    Duration maxBackoff();
}
