-- braind PostgreSQL schema 0005: several daemons on one database.
--
-- A push claim is a lease: who holds the row (claimed_by, a daemon id) and until when
-- (lease_until). The holder renews its leases while it lives; rows whose lease ran out go back
-- to any daemon, which finishes them with the add-started mark and the record_id lookup, so
-- Mem0 gets no duplicate. Before this version one daemon held the database alone (a session
-- advisory lock), so rows in flight then have no holder and are recovered like expired ones.
ALTER TABLE company_brain ADD COLUMN IF NOT EXISTS claimed_by text, ADD COLUMN IF NOT EXISTS lease_until timestamptz;
ALTER TABLE user_brain ADD COLUMN IF NOT EXISTS claimed_by text, ADD COLUMN IF NOT EXISTS lease_until timestamptz;
CREATE INDEX IF NOT EXISTS company_brain_in_flight ON company_brain (lease_until) WHERE sync_state = 'in_flight';
CREATE INDEX IF NOT EXISTS user_brain_in_flight ON user_brain (lease_until) WHERE sync_state = 'in_flight';

-- A reconcile run belongs to the daemon that runs it: only runs whose daemon is gone are
-- marked interrupted.
ALTER TABLE reconcile_runs ADD COLUMN IF NOT EXISTS daemon_id text;

-- Each live daemon heartbeats its row; `brain status` lists the rows seen recently.
CREATE TABLE IF NOT EXISTS braind_daemons (
    id text PRIMARY KEY,                          -- host and socket path: the same after a restart
    host text NOT NULL,
    pid integer NOT NULL,
    version text NOT NULL,
    started_at timestamptz NOT NULL,
    last_seen timestamptz NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON braind_daemons TO braind_service;
