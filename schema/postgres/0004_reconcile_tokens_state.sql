-- braind PostgreSQL schema 0004: reconcile runs, scoped access tokens, and what braind records
-- about itself (which Mem0 its memory ids belong to): the SQLite store's 0002, 0004, 0006, 0007.

-- One row per reconcile run, with its report.
CREATE TABLE IF NOT EXISTS reconcile_runs (
    id uuid PRIMARY KEY,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'interrupted')),
    dry_run boolean NOT NULL,
    report jsonb NOT NULL                         -- the ReconcileReport
);
CREATE INDEX IF NOT EXISTS reconcile_runs_started ON reconcile_runs (started_at);

-- Only a SHA-256 hash of each token is kept; the token itself is shown once, at creation.
CREATE TABLE IF NOT EXISTS access_tokens (
    id uuid PRIMARY KEY,                          -- shown in `brain token list`
    token_hash text NOT NULL UNIQUE,              -- hex SHA-256 of the token
    brain text NOT NULL CHECK (brain IN ('company', 'user')),
    rut text NOT NULL,                            -- normalized RUT the token is scoped to
    read_only boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE TABLE IF NOT EXISTS daemon_state (
    key text PRIMARY KEY,
    value text NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON reconcile_runs, access_tokens, daemon_state TO braind_service;
