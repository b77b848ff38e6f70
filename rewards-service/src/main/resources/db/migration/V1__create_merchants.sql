-- Responses of mutating calls by client-supplied idempotency key (see service-kit IdempotentCalls).
CREATE TABLE idempotency_key (
    scope        varchar(200) NOT NULL,
    idem_key     varchar(128) NOT NULL,
    request_hash bytea        NOT NULL,
    response     bytea,
    created_at   timestamptz  NOT NULL,
    PRIMARY KEY (scope, idem_key)
);

-- Merchants that honour points; each is a Keycloak client carrying its merchant_id claim.
CREATE TABLE merchant (
    merchant_id  varchar(64)  PRIMARY KEY,
    display_name varchar(200) NOT NULL,
    client_id    varchar(200) NOT NULL UNIQUE,
    status            varchar(16)  NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED')),
    suspension_reason varchar(500),
    suspended_at      timestamptz,
    created_at   timestamptz  NOT NULL,
    updated_at   timestamptz  NOT NULL
);
