-- Creates the Civic Credit role and one database per service (and per test suite).
-- Used by docker-compose (docker-entrypoint-initdb.d) and by scripts/infra.sh.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'civiccredit') THEN
        CREATE ROLE civiccredit LOGIN CREATEDB PASSWORD 'civiccredit';
    END IF;
END
$$;
SELECT 'CREATE DATABASE ' || db || ' OWNER civiccredit'
FROM unnest(ARRAY['civic_reports', 'civic_scoring', 'civic_rewards',
                  'civic_reports_test', 'civic_scoring_test', 'civic_rewards_test',
                  'civic_reports_systest', 'civic_scoring_systest', 'civic_rewards_systest']) AS db
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = db)
\gexec
