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

    /**
     * Relay transactions delivering at once, each by a worker of its own and each carrying up to
     * {@link #streamsPerTransaction()} streams (a stream's rows in order); each takes a database connection. 1 by
     * default, chosen for two cores, where intake is CPU-bound: when it was first measured (docs/performance.md,
     * first round) 4 workers delivered no more than 1 (30.7 against 35.4 reports/s), and since then a transaction
     * carries many streams, so one worker has a pass's work in few calls. Raise it ({@code RELAY_PARALLELISM})
     * where there are cores to spare, and measure there.
     */
    @WithDefault("1")
    int parallelism();

    /**
     * Streams delivered in one transaction of the sending side: their rows are marked and committed together, so
     * a pass pays one commit (one wait for the disk) per this many streams instead of one per stream, and their
     * next rows of one kind go to the receiver in one batched call (at most {@link OutboxDelivery#MAX_BATCH}). If
     * such a transaction fails, its streams are retried one transaction each, so one failing stream never holds
     * back the others. 64 by default: against 16, intake ran 30-50 % faster on two cores, each call's and
     * transaction's own cost shared by four times as many reports; 100 was no faster (docs/performance.md,
     * twenty-second round). A pass delivers what is due, so a quiet outbox still sends small batches at once.
     */
    @WithDefault("64")
    int streamsPerTransaction();

    /** How long one pass goes on taking new batches of due streams while it keeps delivering. */
    @WithDefault("PT2S")
    Duration maxPass();

    /** Longest wait between two attempts at one row. */
    @WithDefault("PT30S")
    Duration maxBackoff();
}
