-- braind PostgreSQL schema 0001: roles, the auth.uid() shim, owners, the seed's two brain tables
-- with the SQLite store's sync columns, and the append-only events journal.
-- Never edit this file once shipped; add a new numbered migration instead.
--
-- The migrator runs every pending migration in one transaction under an advisory lock, as
-- braind_owner when the connected role may become it, so the objects belong to braind_owner.
--
-- Adoption: a database that already has the seed's own tables (its Supabase migration: no sync
-- columns, memory_id NOT NULL) is upgraded in place. Every table is created only if missing and
-- every column braind adds is added only if missing, so a fresh database and an adopted one take
-- the same path, and every existing row is kept.

-- Roles as Supabase has them: braind_owner owns the objects, braind_service (the daemons, the
-- push worker, the loaders) plays service_role and bypasses RLS, braind_user plays authenticated
-- and is what a user-scoped read switches to. Creating roles needs a superuser or CREATEROLE;
-- without either they must exist already (scripts/with-postgres creates them).
DO $$
DECLARE
    missing text[] := ARRAY(
        SELECT r FROM unnest(ARRAY['braind_owner', 'braind_service', 'braind_user']) AS r
        WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r));
BEGIN
    IF cardinality(missing) > 0 THEN
        IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
            RAISE EXCEPTION 'braind needs the roles % (create them as a superuser: see schema/postgres/README.md)',
                array_to_string(missing, ', ');
        END IF;
        IF 'braind_owner' = ANY (missing) THEN CREATE ROLE braind_owner NOLOGIN; END IF;
        IF 'braind_service' = ANY (missing) THEN CREATE ROLE braind_service LOGIN BYPASSRLS; END IF;
        IF 'braind_user' = ANY (missing) THEN CREATE ROLE braind_user NOLOGIN; END IF;
    END IF;
    -- A superuser migrating a database it owns hands the objects to braind_owner, which then
    -- needs to create them.
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT CREATE ON DATABASE %I TO braind_owner', current_database());
        GRANT CREATE ON SCHEMA public TO braind_owner;
        GRANT braind_user TO braind_service;
        IF current_user <> 'braind_owner' THEN SET LOCAL ROLE braind_owner; END IF;
    END IF;
END $$;

-- auth.uid() shim: Supabase already has auth.uid() (from the verified JWT) and keeps it. On
-- plain PostgreSQL it reads the transaction-local setting app.user_id, which the daemon sets after
-- SET LOCAL ROLE braind_user. nullif: after an earlier set_config in the same session the setting
-- reads '' rather than NULL, and ''::uuid would raise.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'auth') THEN
        CREATE SCHEMA auth;
    END IF;
    IF to_regprocedure('auth.uid()') IS NULL THEN
        CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
            AS $f$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $f$;
        GRANT USAGE ON SCHEMA auth TO braind_user, braind_service;
    END IF;
END $$;

-- Owners. `rut` is the normalized RUT (digits + lowercase check digit), which is Mem0's entity id.
CREATE TABLE IF NOT EXISTS companies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    rut text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE companies
    ADD COLUMN IF NOT EXISTS rut text UNIQUE,
    ADD COLUMN IF NOT EXISTS business_name text,
    ADD COLUMN IF NOT EXISTS tax_regime text,
    ADD COLUMN IF NOT EXISTS sii_activity_name text,
    ADD COLUMN IF NOT EXISTS sii_activity_code text,
    ADD COLUMN IF NOT EXISTS legal_representative_name text,
    ADD COLUMN IF NOT EXISTS legal_representative_rut text,
    ADD COLUMN IF NOT EXISTS start_of_activities text,      -- ISO date YYYY-MM-DD
    ADD COLUMN IF NOT EXISTS accounting_start_month text,   -- YYYY-MM
    ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE IF NOT EXISTS profiles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    rut text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE profiles
    ADD COLUMN IF NOT EXISTS rut text UNIQUE,
    ADD COLUMN IF NOT EXISTS full_name text,
    ADD COLUMN IF NOT EXISTS email text,
    ADD COLUMN IF NOT EXISTS phone text,
    ADD COLUMN IF NOT EXISTS role text,
    ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();

-- Which users have an active session with which company (the seed's RLS rule for company
-- brains). expires_at is optional: a session past it no longer opens the company's brain.
CREATE TABLE IF NOT EXISTS sessions (
    user_id uuid NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    company_id uuid NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    is_active boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, company_id)
);
ALTER TABLE sessions
    ADD COLUMN IF NOT EXISTS is_active boolean NOT NULL DEFAULT true,
    ADD COLUMN IF NOT EXISTS expires_at timestamptz,
    ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
-- The session import upserts by (user, company); an adopted table may key sessions otherwise.
CREATE UNIQUE INDEX IF NOT EXISTS sessions_user_company ON sessions (user_id, company_id);

-- The brain tables exactly as the seed creates them, then braind's columns. memory_id stays NULL
-- until the first successful push. A row needs a push while version > synced_version.
CREATE TABLE IF NOT EXISTS company_brain (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),   -- sent to Mem0 as metadata.record_id
    company_id uuid NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    memory_id varchar(255) UNIQUE,
    slug varchar(255) NOT NULL,
    content text NOT NULL,
    extra_metadata jsonb DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, slug)
);

CREATE TABLE IF NOT EXISTS user_brain (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    memory_id varchar(255) UNIQUE,
    slug varchar(255) NOT NULL,
    content text NOT NULL,
    extra_metadata jsonb DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, slug)
);

-- The seed's migration made memory_id NOT NULL (it saved to Mem0 first); braind writes the row
-- first and pushes after, so the id is NULL until then.
ALTER TABLE company_brain ALTER COLUMN memory_id DROP NOT NULL, ALTER COLUMN id SET DEFAULT gen_random_uuid(),
    ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE user_brain ALTER COLUMN memory_id DROP NOT NULL, ALTER COLUMN id SET DEFAULT gen_random_uuid(),
    ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
UPDATE company_brain SET extra_metadata = '{}' WHERE extra_metadata IS NULL OR jsonb_typeof(extra_metadata) <> 'object';
UPDATE user_brain SET extra_metadata = '{}' WHERE extra_metadata IS NULL OR jsonb_typeof(extra_metadata) <> 'object';
ALTER TABLE company_brain ALTER COLUMN extra_metadata SET NOT NULL, ALTER COLUMN extra_metadata SET DEFAULT '{}';
ALTER TABLE user_brain ALTER COLUMN extra_metadata SET NOT NULL, ALTER COLUMN extra_metadata SET DEFAULT '{}';

-- The SQLite store's sync columns. push_started_at is set before an add whose outcome may be
-- unknown and cleared only once Mem0's holding is known; deleted marks a tombstone awaiting the
-- remote delete; source says whether an agent ('save') or a load ('loader') wrote the row last.
ALTER TABLE company_brain
    ADD COLUMN IF NOT EXISTS category text,
    ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 1,
    ADD COLUMN IF NOT EXISTS synced_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS sync_state text NOT NULL DEFAULT 'pending'
        CHECK (sync_state IN ('pending', 'in_flight', 'synced', 'failed')),
    ADD COLUMN IF NOT EXISTS sync_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz,
    ADD COLUMN IF NOT EXISTS last_error text,
    ADD COLUMN IF NOT EXISTS push_started_at timestamptz,
    ADD COLUMN IF NOT EXISTS deleted boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'save' CHECK (source IN ('save', 'loader'));
ALTER TABLE user_brain
    ADD COLUMN IF NOT EXISTS category text,
    ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 1,
    ADD COLUMN IF NOT EXISTS synced_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS sync_state text NOT NULL DEFAULT 'pending'
        CHECK (sync_state IN ('pending', 'in_flight', 'synced', 'failed')),
    ADD COLUMN IF NOT EXISTS sync_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz,
    ADD COLUMN IF NOT EXISTS last_error text,
    ADD COLUMN IF NOT EXISTS push_started_at timestamptz,
    ADD COLUMN IF NOT EXISTS deleted boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'save' CHECK (source IN ('save', 'loader'));

-- Adopted rows: one with a Mem0 id is what Mem0 holds (the seed wrote Mem0 first), so it is
-- synced; one without waits for its first push. The seed kept the category inside the metadata.
-- On a fresh database both tables are empty here and nothing changes.
UPDATE company_brain SET synced_version = version, sync_state = 'synced'
    WHERE memory_id IS NOT NULL AND synced_version = 0 AND sync_state = 'pending';
UPDATE user_brain SET synced_version = version, sync_state = 'synced'
    WHERE memory_id IS NOT NULL AND synced_version = 0 AND sync_state = 'pending';
UPDATE company_brain SET category = extra_metadata ->> 'category'
    WHERE category IS NULL AND jsonb_typeof(extra_metadata -> 'category') = 'string';
UPDATE user_brain SET category = extra_metadata ->> 'category'
    WHERE category IS NULL AND jsonb_typeof(extra_metadata -> 'category') = 'string';

-- The push worker's scan: dirty rows only, so a large synced brain costs nothing to skip.
CREATE INDEX IF NOT EXISTS company_brain_dirty ON company_brain (next_attempt_at) WHERE version > synced_version;
CREATE INDEX IF NOT EXISTS user_brain_dirty ON user_brain (next_attempt_at) WHERE version > synced_version;
CREATE INDEX IF NOT EXISTS company_brain_category ON company_brain (company_id, category);
CREATE INDEX IF NOT EXISTS user_brain_category ON user_brain (user_id, category);
CREATE INDEX IF NOT EXISTS company_brain_failed ON company_brain (updated_at) WHERE sync_state = 'failed';
CREATE INDEX IF NOT EXISTS user_brain_failed ON user_brain (updated_at) WHERE sync_state = 'failed';

-- Append-only journal of every change and sync outcome. Ids are text, as in SQLite: a repair of a
-- row purged meanwhile journals an empty owner id.
CREATE TABLE IF NOT EXISTS events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL,                           -- created, updated, deleted, pushed, repaired, failed, ...
    brain text NOT NULL CHECK (brain IN ('company', 'user')),
    owner_id text NOT NULL,
    record_id text,
    slug text,
    version bigint,
    detail jsonb                                  -- optional
);
CREATE INDEX IF NOT EXISTS events_record ON events (record_id);
CREATE INDEX IF NOT EXISTS events_at ON events (at);

-- History is never rewritten, only trimmed by retention (oldest first).
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only';
END $$;
DROP TRIGGER IF EXISTS events_no_update ON events;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();

GRANT SELECT, INSERT, UPDATE, DELETE ON companies, profiles, sessions, company_brain, user_brain, events TO braind_service;
