package org.civiccredit.kit.outbox;

/** A kind of outbox row and the service it goes to; services list theirs as an enum implementing this. */
public interface OutboxRoute {

    /** The receiving service, e.g. {@code "scoring"}. */
    String target();

    /** The kind's name, stored with the row. */
    String name();
}
