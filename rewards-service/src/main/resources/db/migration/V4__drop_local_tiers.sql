-- Tier-gated offers now read tiers from scoring-service when they are used (the current rule table's tiers and
-- the participant's tier), so the local copy V3 made for a feed from scoring-service, never built, goes.
DROP TABLE tier;
ALTER TABLE participant DROP COLUMN tier_name;
