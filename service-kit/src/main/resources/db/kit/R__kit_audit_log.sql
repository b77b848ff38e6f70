-- What service-kit owns in every service's schema (a repeatable migration of location db/kit, so each
-- service's own versioned migrations keep their numbers): the audit chain of AuditLog, and below, a column
-- of IdempotentCalls. The audit chain is append-only: rows cannot be updated or
-- deleted through SQL without first disabling the trigger, and any change to a row breaks the hash chain,
-- which AuditLog.verify() reports.
CREATE TABLE IF NOT EXISTS audit_log (
    seq         bigint      PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    action      text        NOT NULL,
    actor       text        NOT NULL,
    refs        text        NOT NULL,
    prev_hash   bytea       NOT NULL,
    hash        bytea       NOT NULL
);

CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;

DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log;
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
