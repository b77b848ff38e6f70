-- Refused reports, counted per agency, reason, protected ground and day, so that accountability records
-- and transparency reports can cover any period. The refused text is never stored.
CREATE TABLE intake_refusal (
    agency_id varchar(64) NOT NULL,
    reason    varchar(40) NOT NULL,
    ground    varchar(40) NOT NULL DEFAULT '',
    day       date        NOT NULL,
    refusals  bigint      NOT NULL,
    PRIMARY KEY (agency_id, reason, ground, day)
);
INSERT INTO intake_refusal (agency_id, reason, ground, day, refusals)
SELECT agency_id, 'PROTECTED_GROUND', ground, current_date, refusals FROM protected_ground_refusal;
DROP TABLE protected_ground_refusal;
