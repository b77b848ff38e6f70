-- A reservation reads a wallet's oldest available lots until they cover its cost (WalletStore.loadFor): this index
-- gives them in that order without stepping over the wallet's spent, expired and reversed lots.
CREATE INDEX award_lot_available ON award_lot (participant_id, awarded_at, lot_id) WHERE state = 'AVAILABLE';
