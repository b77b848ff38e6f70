-- When the participant's score next changes by itself: the earliest counts_until among the events that
-- contribute to it (COUNTING, or FROZEN with a positive delta). Kept in the transaction of every change; the
-- expiry sweep finds the participants whose moment has passed, bumps score_version and announces the new
-- score. Null when no event contributes (and for erased participants).
ALTER TABLE participant ADD COLUMN score_valid_until timestamptz;

UPDATE participant p SET score_valid_until = (
    SELECT min(e.counts_until) FROM score_event e
    WHERE e.participant_id = p.participant_id AND e.status IN ('COUNTING', 'FROZEN')
      AND (e.status = 'COUNTING' OR e.delta > 0) AND e.counts_until > now())
WHERE p.erased_at IS NULL;

CREATE INDEX participant_score_expiry ON participant (score_valid_until) WHERE score_valid_until IS NOT NULL;

-- Transactional outbox (service-kit Outbox/OutboxRelay): written in the same transaction as the score event
-- it announces; the relay delivers the rows of one (target, participant) stream strictly in id order, with
-- retry and backoff. Here: awards and their freeze, release and reversal for rewards-service.
CREATE TABLE outbox (
    id              bigserial    PRIMARY KEY,
    target          varchar(16)  NOT NULL,
    stream          varchar(64)  NOT NULL,
    kind            varchar(32)  NOT NULL,
    payload         bytea        NOT NULL,
    report_id       uuid,
    created_at      timestamptz  NOT NULL,
    attempts        int          NOT NULL DEFAULT 0,
    next_attempt_at timestamptz  NOT NULL,
    last_error      varchar(500),
    delivered_at    timestamptz,
    outcome         varchar(64)
);
CREATE INDEX outbox_pending ON outbox (target, stream, id) WHERE delivered_at IS NULL;
