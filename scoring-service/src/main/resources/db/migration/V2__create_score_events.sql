-- Participants registered by reports-service's outbox at enrolment. The subject recognises the
-- participant's own token; it is cleared when the participant is erased or the subject re-enrols under a
-- new participant id. An erased row stays as a tombstone (subject cleared, erased_at set) so that late
-- deliveries for the id are refused. score_version is the participant's score version (1 at
-- registration, +1 per change of one of their events).
CREATE TABLE participant (
    participant_id   varchar(64)  PRIMARY KEY,
    keycloak_subject varchar(255) UNIQUE,
    enrolled_at      timestamptz,
    registered_at    timestamptz,
    erased_at        timestamptz,
    score_version    bigint       NOT NULL DEFAULT 1,
    CHECK (erased_at IS NULL OR keycloak_subject IS NULL)
);

-- One score event per accepted report, with the provenance the participant needs to check and contest it.
-- participant_id and evidence_ref are cleared when the participant is erased (the event stays anonymous).
-- status holds only what was decided (COUNTING, FROZEN, REVERSED); EXPIRED is derived from counts_until.
-- cap_zone is the time zone the cap periods were chosen in, so a reversal releases exactly the usage the
-- event took.
CREATE TABLE score_event (
    event_id           uuid          PRIMARY KEY,
    report_id          varchar(64)   NOT NULL UNIQUE,
    participant_id     varchar(64)   REFERENCES participant (participant_id),
    agency_id          varchar(64)   NOT NULL,
    rule_code          varchar(64)   NOT NULL,
    rule_table_version bigint        NOT NULL,
    category           varchar(40)   NOT NULL,
    rule_title         varchar(200)  NOT NULL,
    quantity           int           NOT NULL CHECK (quantity >= 0),
    counted_units      int           NOT NULL,
    uncapped_delta     bigint        NOT NULL,
    delta              bigint        NOT NULL,
    capped             boolean       NOT NULL,
    award_points       bigint        NOT NULL CHECK (award_points >= 0),
    occurred_at        timestamptz   NOT NULL,
    applied_at         timestamptz   NOT NULL,
    counts_until       timestamptz   NOT NULL,
    cap_zone           varchar(64)   NOT NULL,
    evidence_ref       varchar(2048) NOT NULL,
    status             varchar(16)   NOT NULL CHECK (status IN ('COUNTING', 'FROZEN', 'REVERSED')),
    frozen_at          timestamptz,
    reversed_at        timestamptz,
    reversal_cause     varchar(32),
    reversal_reason    varchar(2000),
    FOREIGN KEY (rule_table_version, rule_code) REFERENCES rule (version, code)
);

-- A participant's entries, newest occurred_at first (breakdown pages, export).
CREATE INDEX score_event_by_participant ON score_event (participant_id, occurred_at DESC, event_id DESC);

-- The score: only events that may still count, answered from the index alone.
CREATE INDEX score_event_counting ON score_event (participant_id, counts_until) INCLUDE (delta, status)
    WHERE status IN ('COUNTING', 'FROZEN');

-- Period-cap usage: the signed sum of the deltas of a participant's non-reversed events of one rule code
-- whose occurred_at falls in one calendar period. Each event adds to the rows of its day, ISO week, month
-- and year, so the cap is checked in O(1) whichever period a rule version uses; rows are locked
-- (SELECT ... FOR UPDATE) while an event is evaluated, so concurrent reports cannot exceed a cap.
-- period_key: 'D2026-01-31', 'W2026-W05', 'M2026-01' or 'Y2026'.
CREATE TABLE cap_usage (
    participant_id varchar(64) NOT NULL REFERENCES participant (participant_id),
    rule_code      varchar(64) NOT NULL,
    period_key     varchar(16) NOT NULL,
    used           bigint      NOT NULL,
    PRIMARY KEY (participant_id, rule_code, period_key)
);
