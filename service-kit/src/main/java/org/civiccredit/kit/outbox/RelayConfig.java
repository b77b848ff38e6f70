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

    /** Streams delivered at once (each by one worker, its rows in order); each takes a database connection. */
    @WithDefault("4")
    int parallelism();

    /** How long one pass goes on taking new batches of due streams while it keeps delivering. */
    @WithDefault("PT2S")
    Duration maxPass();

    /** Longest wait between two attempts at one row. */
    @WithDefault("PT30S")
    Duration maxBackoff();
}
