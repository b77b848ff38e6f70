-- Cap counters are no longer created at 0 and locked FOR UPDATE before their change (as V2's comment says): every
-- writer of a participant's counters holds the participant's row lock, so the counters are read without locks and
-- written once per transaction with their final change (INSERT ... ON CONFLICT DO UPDATE); a counter never changed
-- has no row and reads as 0. See CapUsageRepository.
COMMENT ON TABLE cap_usage IS
    'Period-cap usage per (participant, rule code, period). Written only under the participant''s row lock, once per '
    'transaction, as an upsert; a missing row reads as 0.';
