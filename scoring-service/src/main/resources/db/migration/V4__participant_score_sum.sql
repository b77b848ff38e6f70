-- The participant's raw score: the sum of the contributions of their events (as ScoreEvent#contributionAt:
-- counting deltas, frozen deltas only when positive, nothing once reversed or past counts_until), before the
-- floor at 0. Kept in the transaction of every change by that change's contribution, next to
-- score_valid_until, so that neither a change nor a read sums the participant's events. It holds while now is
-- before score_valid_until (or that is null); once a window has ended, the expiry sweep sums the events again
-- and stores the result. Null means unknown (rows from before this migration): the score is then summed from
-- the events, and stored by the participant's next change or sweep. Adding a nullable column without a
-- default rewrites no rows.
ALTER TABLE participant ADD COLUMN score_sum bigint;
