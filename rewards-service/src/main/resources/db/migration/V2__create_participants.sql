-- Participants known to rewards-service, registered by reports-service's outbox on enrolment. The subject
-- (the Keycloak link to a person) is erased on withdrawal; the row stays as a tombstone so that nothing can
-- be awarded to an erased participant.
CREATE TABLE participant (
    participant_id uuid         PRIMARY KEY,
    subject        varchar(255) UNIQUE,
    registered_at  timestamptz  NOT NULL,
    erased_at      timestamptz
);
