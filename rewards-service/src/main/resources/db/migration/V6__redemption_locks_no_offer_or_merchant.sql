-- A reservation no longer locks its offer's and merchant's rows through foreign keys (docs/performance.md,
-- twenty-sixth round). A foreign key check takes FOR KEY SHARE on the parent row. Every concurrent reservation of
-- one offer from one merchant so locked the same two rows, and each lock on a row that others held too created a
-- new multixact of all their holders: 4.7 per Reserve + Capture under load, and every reader of those rows then
-- had to look their members up. The offer's row is also the one whose stock each reservation updates.
--
-- What the two keys guaranteed still holds, by construction instead of by lock:
-- * a redemption is inserted only by WalletStore.insertHold, which copies its offer and merchant from an offer
--   row of that merchant in the same statement (stricter than before: the merchant must be the offer's);
-- * offers and merchants are never deleted or truncated (they are retired or suspended), and their keys never
--   change; the triggers below refuse it;
-- * a redemption's offer and merchant never change; the trigger below refuses it.
ALTER TABLE redemption DROP CONSTRAINT redemption_offer_id_fkey, DROP CONSTRAINT redemption_merchant_id_fkey;

CREATE FUNCTION refuse_redeemed_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted and their keys never change: redemptions name them (retire or suspend instead)',
        TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER offer_kept BEFORE DELETE ON offer
    FOR EACH ROW EXECUTE FUNCTION refuse_redeemed_key_change();
CREATE TRIGGER offer_keys_kept BEFORE UPDATE OF offer_id, merchant_id ON offer
    FOR EACH ROW WHEN (OLD.offer_id IS DISTINCT FROM NEW.offer_id OR OLD.merchant_id IS DISTINCT FROM NEW.merchant_id)
    EXECUTE FUNCTION refuse_redeemed_key_change();
CREATE TRIGGER offer_not_truncated BEFORE TRUNCATE ON offer
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_redeemed_key_change();
CREATE TRIGGER merchant_kept BEFORE DELETE ON merchant
    FOR EACH ROW EXECUTE FUNCTION refuse_redeemed_key_change();
CREATE TRIGGER merchant_key_kept BEFORE UPDATE OF merchant_id ON merchant
    FOR EACH ROW WHEN (OLD.merchant_id IS DISTINCT FROM NEW.merchant_id)
    EXECUTE FUNCTION refuse_redeemed_key_change();
CREATE TRIGGER merchant_not_truncated BEFORE TRUNCATE ON merchant
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_redeemed_key_change();
CREATE TRIGGER redemption_keys_kept BEFORE UPDATE OF offer_id, merchant_id ON redemption
    FOR EACH ROW WHEN (OLD.offer_id IS DISTINCT FROM NEW.offer_id OR OLD.merchant_id IS DISTINCT FROM NEW.merchant_id)
    EXECUTE FUNCTION refuse_redeemed_key_change();
