-- Responses of mutating calls by client-supplied idempotency key (see service-kit IdempotentCalls).
CREATE TABLE idempotency_key (
    scope        varchar(200) NOT NULL,
    idem_key     varchar(128) NOT NULL,
    request_hash bytea        NOT NULL,
    response     bytea,
    created_at   timestamptz  NOT NULL,
    PRIMARY KEY (scope, idem_key)
);

-- Published rule tables: immutable once written; every score event names the version it used.
CREATE TABLE rule_table (
    version      bigint       PRIMARY KEY,
    published_at timestamptz  NOT NULL,
    published_by varchar(200) NOT NULL,
    notes        varchar(2000) NOT NULL DEFAULT ''
);

-- The rules of each version, one row per rule, looked up by (version, code).
CREATE TABLE rule (
    version        bigint        NOT NULL REFERENCES rule_table (version),
    position       int           NOT NULL,
    code           varchar(64)   NOT NULL,
    category       varchar(40)   NOT NULL,
    title          varchar(200)  NOT NULL,
    description    varchar(2000) NOT NULL DEFAULT '',
    score_delta    bigint        NOT NULL,
    per_unit       boolean       NOT NULL,
    unit_cap       int           NOT NULL,
    unit_name      varchar(40)   NOT NULL DEFAULT '',
    award_points   bigint        NOT NULL CHECK (award_points >= 0),
    cap_per_period bigint        NOT NULL CHECK (cap_per_period > 0),
    cap_period     varchar(16)   NOT NULL,
    counts_for_s   bigint        NOT NULL CHECK (counts_for_s > 0),
    PRIMARY KEY (version, code)
);

-- The score tiers of each version, ascending by threshold.
CREATE TABLE tier (
    version   bigint      NOT NULL REFERENCES rule_table (version),
    position  int         NOT NULL,
    name      varchar(64) NOT NULL,
    threshold bigint      NOT NULL CHECK (threshold >= 0),
    PRIMARY KEY (version, name)
);
