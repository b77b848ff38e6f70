-- Wallet changes read only the lots they need (issue 7) instead of every open lot of the wallet:
-- catching a wallet up finds its lots past their expiry and its pending lots past their contest window by
-- range, and a hold reads the wallet's available lots oldest first, a batch at a time, until its cost is covered.
-- The first index also serves what award_lot_open served (a participant's open lots), so that one goes.
CREATE INDEX award_lot_open_by_expiry ON award_lot (participant_id, expires_at) WHERE state IN ('PENDING', 'AVAILABLE');
CREATE INDEX award_lot_pending_by_due ON award_lot (participant_id, available_from) WHERE state = 'PENDING' AND NOT frozen;
CREATE INDEX award_lot_available_oldest ON award_lot (participant_id, awarded_at, lot_id) WHERE state = 'AVAILABLE';
DROP INDEX award_lot_open;
