-- Contests: a participant's challenge of one report about them, and the reviewer's decision. One contest per
-- report, ever: a decided report cannot be contested again.
CREATE TABLE contest (
    contest_id      uuid          PRIMARY KEY,
    report_id       uuid          NOT NULL UNIQUE REFERENCES report (report_id),
    participant_id  uuid          NOT NULL REFERENCES participant (participant_id),
    statement       varchar(2000),
    opened_at       timestamptz   NOT NULL,
    state           varchar(16)   NOT NULL CHECK (state IN ('OPEN', 'UPHELD', 'OVERTURNED', 'CLOSED')),
    decided_at      timestamptz,
    decision_reason varchar(2000),
    reviewer        varchar(255)
);
CREATE INDEX contest_open ON contest (opened_at, contest_id) WHERE state = 'OPEN';
