-- The roles of schema/postgres (see 0001) and braind's database, on a fresh cluster: braind_owner
-- owns the objects, braind_service is what the daemon logs in as (BYPASSRLS, like Supabase's
-- service_role), braind_user is what a user-scoped read switches to. CREATEDB and the owner
-- membership let each test make a database of its own and run the migrations as the owner.
-- Run by scripts/with-postgres, scripts/postgres-dev and the tests' PostgresCluster, as the
-- cluster's superuser with psql -v ON_ERROR_STOP=1 (each statement on its own: CREATE DATABASE
-- cannot run inside a transaction).
CREATE ROLE braind_owner NOLOGIN;
CREATE ROLE braind_service LOGIN BYPASSRLS CREATEDB;
CREATE ROLE braind_user NOLOGIN;
GRANT braind_owner TO braind_service;
GRANT braind_user TO braind_service;
CREATE DATABASE braind OWNER braind_owner;
