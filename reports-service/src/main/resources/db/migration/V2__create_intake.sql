-- Versioned consent texts a participant accepts when enrolling.
CREATE TABLE consent_text (
    version      bigint       PRIMARY KEY,
    language     varchar(16)  NOT NULL,
    text         text         NOT NULL,
    published_at timestamptz  NOT NULL
);

INSERT INTO consent_text (version, language, text, published_at) VALUES (1, 'en',
'By enrolling you agree that the partner agencies of this programme may report the contributions you make '
|| 'through them (for example volunteering hours) under the published rule table, and that these reports '
|| 'give you a score and points. Reports may only concern your own conduct inside the programme, never your '
|| 'beliefs, origin, language, opinions, complaints, speech, associations, health, sexuality or family. You '
|| 'can see, export and contest every entry about you, and you can withdraw at any time: scoring stops at '
|| 'once and your personal data is erased.', now());

-- Enrolled (and withdrawn) participants. The Keycloak subject is the only link to a person and is erased
-- on withdrawal; re-enrolling creates a new participant id.
CREATE TABLE participant (
    participant_id  uuid         PRIMARY KEY,
    subject         varchar(255),
    state           varchar(16)  NOT NULL CHECK (state IN ('ENROLLED', 'WITHDRAWN')),
    consent_version bigint       NOT NULL REFERENCES consent_text (version),
    enrolled_at     timestamptz  NOT NULL,
    withdrawn_at    timestamptz
);
CREATE UNIQUE INDEX participant_enrolled_subject ON participant (subject) WHERE state = 'ENROLLED';

-- The rule tables reports are checked against: a local copy of what scoring-service published, so that
-- intake keeps working while scoring-service is down.
CREATE TABLE rule_catalog (
    version   bigint       NOT NULL,
    code      varchar(64)  NOT NULL,
    category  varchar(40)  NOT NULL,
    title     varchar(200) NOT NULL,
    per_unit  boolean      NOT NULL,
    unit_cap  int          NOT NULL,
    PRIMARY KEY (version, code)
);

-- Reports as agencies submitted them, with the rule table version they were accepted under.
CREATE TABLE report (
    report_id          uuid          PRIMARY KEY,
    agency_id          varchar(64)   NOT NULL REFERENCES agency (agency_id),
    participant_id     uuid          NOT NULL REFERENCES participant (participant_id),
    rule_code          varchar(64)   NOT NULL,
    rule_table_version bigint        NOT NULL,
    category           varchar(40)   NOT NULL,
    rule_title         varchar(200)  NOT NULL,
    quantity           int           NOT NULL,
    occurred_at        timestamptz   NOT NULL,
    received_at        timestamptz   NOT NULL,
    evidence_ref       varchar(2048) NOT NULL,
    note               varchar(500),
    status             varchar(16)   NOT NULL,
    status_changed_at  timestamptz   NOT NULL,
    withdrawal_reason  varchar(500)
);
CREATE INDEX report_by_agency ON report (agency_id, received_at DESC, report_id DESC);
CREATE INDEX report_by_participant ON report (participant_id, received_at);

-- Reports refused because their text concerned a protected ground: counts only, never the text.
CREATE TABLE protected_ground_refusal (
    agency_id varchar(64) NOT NULL,
    ground    varchar(40) NOT NULL,
    refusals  bigint      NOT NULL,
    PRIMARY KEY (agency_id, ground)
);

-- Transactional outbox: written in the same transaction as the change it announces; the relay delivers
-- rows of one (target, participant) stream strictly in id order, with retry and backoff.
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
