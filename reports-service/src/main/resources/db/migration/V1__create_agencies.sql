-- Responses of mutating calls by client-supplied idempotency key (see service-kit IdempotentCalls).
CREATE TABLE idempotency_key (
    scope        varchar(200) NOT NULL,
    idem_key     varchar(128) NOT NULL,
    request_hash bytea        NOT NULL,
    response     bytea,
    created_at   timestamptz  NOT NULL,
    PRIMARY KEY (scope, idem_key)
);

-- Partner agencies: who may report, on which conduct categories (their scope).
CREATE TABLE agency (
    agency_id         varchar(64)  PRIMARY KEY,
    display_name      varchar(200) NOT NULL,
    client_id         varchar(200) NOT NULL UNIQUE,
    status            varchar(16)  NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED')),
    suspension_reason varchar(500),
    suspended_at      timestamptz,
    created_at        timestamptz  NOT NULL,
    updated_at        timestamptz  NOT NULL
);

CREATE TABLE agency_category (
    agency_id varchar(64) NOT NULL REFERENCES agency (agency_id) ON DELETE CASCADE,
    category  varchar(40) NOT NULL,
    PRIMARY KEY (agency_id, category)
);
