-- Wallets: award lots over a double-entry ledger, offers, two-phase redemptions, redeem tokens.
-- Every change to one participant's wallet locks that participant's row first (SELECT ... FOR UPDATE), so
-- a wallet changes one transaction at a time on any number of instances.

-- Tiers of the current rule table and each participant's current tier, kept locally so that tier-gated offers
-- are checked without a call to scoring-service. Fed by scoring-service (not wired yet: until then no one has
-- a tier and tier-gated offers cannot be published).
CREATE TABLE tier (
    name      varchar(64) PRIMARY KEY,
    threshold bigint      NOT NULL CHECK (threshold >= 0)
);
ALTER TABLE participant ADD COLUMN tier_name varchar(64);

-- Something a merchant offers for points.
CREATE TABLE offer (
    offer_id              uuid          PRIMARY KEY,
    merchant_id           varchar(64)   NOT NULL REFERENCES merchant,
    title                 varchar(120)  NOT NULL,
    description           varchar(2000) NOT NULL,
    points_cost           bigint        NOT NULL CHECK (points_cost > 0),
    minimum_tier_name     varchar(64),
    stock                 bigint        NOT NULL CHECK (stock > 0),
    stock_remaining       bigint        NOT NULL CHECK (stock_remaining >= 0 AND stock_remaining <= stock),
    limit_per_participant integer       NOT NULL CHECK (limit_per_participant >= 0),
    limit_period          varchar(16),
    state                 varchar(16)   NOT NULL CHECK (state IN ('ACTIVE', 'RETIRED')),
    published_at          timestamptz   NOT NULL,
    retired_at            timestamptz
);
CREATE INDEX offer_by_merchant ON offer (merchant_id, published_at DESC, offer_id DESC);
CREATE INDEX offer_active ON offer (published_at DESC, offer_id DESC) WHERE state = 'ACTIVE';

-- Points awarded for one report. amount = remaining + (held by open holds) + spent + expired + clawed_back.
CREATE TABLE award_lot (
    lot_id             uuid         PRIMARY KEY,
    participant_id     uuid         NOT NULL REFERENCES participant,
    report_id          varchar(128) NOT NULL UNIQUE,
    amount             bigint       NOT NULL CHECK (amount > 0),
    remaining          bigint       NOT NULL CHECK (remaining >= 0),
    spent              bigint       NOT NULL CHECK (spent >= 0),
    expired            bigint       NOT NULL CHECK (expired >= 0),
    clawed_back        bigint       NOT NULL CHECK (clawed_back >= 0),
    clawback_shortfall bigint       NOT NULL CHECK (clawback_shortfall >= 0),
    state              varchar(16)  NOT NULL CHECK (state IN ('PENDING', 'AVAILABLE', 'SPENT', 'EXPIRED', 'REVERSED')),
    frozen             boolean      NOT NULL,
    awarded_at         timestamptz  NOT NULL,
    available_from     timestamptz  NOT NULL,
    expires_at         timestamptz  NOT NULL,
    rule_code          varchar(64)  NOT NULL,
    rule_table_version bigint       NOT NULL,
    CHECK (remaining + spent + expired + clawed_back <= amount)
);
CREATE INDEX award_lot_by_participant ON award_lot (participant_id, awarded_at, lot_id);
CREATE INDEX award_lot_open ON award_lot (participant_id) WHERE state IN ('PENDING', 'AVAILABLE');
CREATE INDEX award_lot_due_expiry ON award_lot (expires_at) WHERE state IN ('PENDING', 'AVAILABLE');
CREATE INDEX award_lot_due_available ON award_lot (available_from) WHERE state = 'PENDING' AND NOT frozen;

-- Reports whose lots were deleted with an erased participant (no participant id): late freezes, releases and
-- reversals for them are answered PARTICIPANT_ERASED, which the relays treat as final.
CREATE TABLE erased_report (
    report_id varchar(128) PRIMARY KEY
);

-- One reversal per report, as first recorded (the lot keeps the current shortfall, which shrinks when held
-- points of the reversed lot come back). Kept after erasure for the programme totals; no participant id.
CREATE TABLE reversal (
    report_id   varchar(128)  PRIMARY KEY,
    lot_id      uuid          NOT NULL,
    reason      varchar(2000) NOT NULL,
    clawed_back bigint        NOT NULL CHECK (clawed_back >= 0),
    shortfall   bigint        NOT NULL CHECK (shortfall >= 0),
    reversed_at timestamptz   NOT NULL
);
CREATE INDEX reversal_by_time ON reversal (reversed_at);

-- Two-phase redemptions. participant_id is cleared when the participant is erased.
CREATE TABLE redemption (
    redemption_id   uuid         PRIMARY KEY,
    merchant_id     varchar(64)  NOT NULL REFERENCES merchant,
    offer_id        uuid         NOT NULL REFERENCES offer,
    offer_title     varchar(120) NOT NULL,
    participant_id  uuid         REFERENCES participant,
    points_held     bigint       NOT NULL CHECK (points_held > 0),
    points_captured bigint       NOT NULL CHECK (points_captured >= 0),
    points_released bigint       NOT NULL CHECK (points_released >= 0),
    state           varchar(16)  NOT NULL CHECK (state IN ('HELD', 'CAPTURED', 'VOIDED', 'EXPIRED')),
    reserved_at     timestamptz  NOT NULL,
    hold_expires_at timestamptz  NOT NULL,
    settled_at      timestamptz,
    CHECK (points_captured + points_released <= points_held)
);
CREATE INDEX redemption_by_merchant ON redemption (merchant_id, reserved_at DESC, redemption_id DESC);
CREATE INDEX redemption_settled ON redemption (merchant_id, settled_at) WHERE settled_at IS NOT NULL;
CREATE INDEX redemption_open ON redemption (hold_expires_at) WHERE state = 'HELD';
CREATE INDEX redemption_open_by_participant ON redemption (participant_id) WHERE state = 'HELD';
CREATE INDEX redemption_by_participant ON redemption (participant_id, offer_id, reserved_at);

-- Which lots an open hold took its points from (oldest first); deleted when the hold settles.
CREATE TABLE hold_allocation (
    redemption_id uuid   NOT NULL REFERENCES redemption,
    lot_id        uuid   NOT NULL REFERENCES award_lot,
    points        bigint NOT NULL CHECK (points > 0),
    PRIMARY KEY (redemption_id, lot_id)
);
CREATE INDEX hold_allocation_by_lot ON hold_allocation (lot_id);

-- One-time redeem tokens, stored as SHA-256 hashes; consumed atomically (used_at IS NULL -> now).
CREATE TABLE redeem_token (
    token_hash     bytea       PRIMARY KEY,
    participant_id uuid        NOT NULL REFERENCES participant,
    offer_id       uuid,
    issued_at      timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    redemption_id  uuid
);
CREATE INDEX redeem_token_by_participant ON redeem_token (participant_id, expires_at);
CREATE INDEX redeem_token_by_expiry ON redeem_token (expires_at);

-- The ledger: each movement is balanced entries between accounts (credit > 0, debit < 0; they sum to zero).
-- participant_id names the participant whose accounts moved; it and the entries' owner are anonymised on
-- erasure. seq orders movements.
CREATE TABLE ledger_movement (
    movement_id    uuid         PRIMARY KEY,
    seq            bigint       GENERATED ALWAYS AS IDENTITY UNIQUE,
    reason         varchar(32)  NOT NULL,
    amount         bigint       NOT NULL CHECK (amount > 0),
    from_kind      varchar(32)  NOT NULL,
    to_kind        varchar(32)  NOT NULL,
    reference      varchar(128) NOT NULL,
    participant_id uuid,
    occurred_at    timestamptz  NOT NULL
);
CREATE INDEX ledger_movement_by_participant ON ledger_movement (participant_id, seq DESC);
CREATE INDEX ledger_movement_by_time ON ledger_movement (occurred_at);

-- owner_id: participant id, merchant id, '' for programme accounts, or an anonymous id after erasure.
CREATE TABLE ledger_entry (
    movement_id  uuid        NOT NULL REFERENCES ledger_movement,
    line         smallint    NOT NULL,
    account_kind varchar(32) NOT NULL,
    owner_id     varchar(64) NOT NULL,
    amount       bigint      NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (movement_id, line)
);
CREATE INDEX ledger_entry_by_account ON ledger_entry (owner_id, account_kind);
