-- What service-kit owns in every service's schema (a repeatable migration of location db/kit, so each
-- service's own versioned migrations keep their numbers): the audit chain of AuditLog, and below, a column
-- of IdempotentCalls. Every statement here is idempotent (the file runs again whenever it changes).
--
-- The audit log is append-only: rows cannot be deleted, and cannot be updated except once, by the sealer, to
-- set their place in the chain; anything else is refused unless the trigger is first disabled, and any change
-- to a row breaks the hash chain (or, before a row is sealed, its entry hash), which AuditLog.verify() reports.
--
-- A writing transaction appends its entry without any lock: seq comes from a sequence and entry_hash covers the
-- entry's fields. AuditSealer then chains the committed entries, in seq order, under an advisory lock: it sets
-- chain_pos (1, 2, 3, ... without gaps), prev_hash and hash. So writing transactions never wait for each other
-- on the log and their commits can share WAL flushes (group commit). Entries from before this scheme were
-- chained at append time, with chain_pos = seq.
CREATE TABLE IF NOT EXISTS audit_log (
    seq         bigint      PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    action      text        NOT NULL,
    actor       text        NOT NULL,
    refs        text        NOT NULL,
    prev_hash   bytea       NOT NULL,
    hash        bytea       NOT NULL
);

ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS chain_pos bigint;
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS entry_hash bytea;
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL;

CREATE SEQUENCE IF NOT EXISTS audit_log_seq;
SELECT setval('audit_log_seq', (SELECT coalesce(max(seq), 0) + 1 FROM audit_log), false);

DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log;
UPDATE audit_log SET chain_pos = seq WHERE chain_pos IS NULL AND hash IS NOT NULL;

CREATE UNIQUE INDEX IF NOT EXISTS audit_log_chain_pos ON audit_log (chain_pos);
CREATE INDEX IF NOT EXISTS audit_log_unsealed ON audit_log (seq) WHERE hash IS NULL;

CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Sealing: an unsealed entry gets its place in the chain, once, and nothing else changes.
        IF OLD.hash IS NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.chain_pos IS NOT NULL
           AND NEW.seq = OLD.seq AND NEW.recorded_at = OLD.recorded_at AND NEW.action = OLD.action
           AND NEW.actor = OLD.actor AND NEW.refs = OLD.refs
           AND NEW.entry_hash IS NOT DISTINCT FROM OLD.entry_hash THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- IdempotentCalls records which participant a stored call concerns, so erasure can forget those calls
-- (their stored responses may hold personal data). Each service's first migration creates the table.
ALTER TABLE idempotency_key ADD COLUMN IF NOT EXISTS participant_ref varchar(64);
CREATE INDEX IF NOT EXISTS idempotency_key_participant ON idempotency_key (participant_ref)
    WHERE participant_ref IS NOT NULL;

-- The table's pages are filled completely (the default). Leaving room on each page (fillfactor 30) made storing a
-- response a HOT update every time, but intake 27-35 % slower on the load test's machine, with more CPU per report in
-- PostgreSQL and in every service (docs/performance.md, thirtieth round; the table grew about three times as fast,
-- which most likely crowded the 128 MB of shared buffers, not verified). A database that ran the version of this
-- script that set it gets the default back.
ALTER TABLE idempotency_key RESET (fillfactor);
