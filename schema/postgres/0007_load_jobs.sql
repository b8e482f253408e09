-- braind PostgreSQL schema 0007: a load of every owner (`brain load companies|users`), spread
-- over the daemons sharing the database, as the seed's `load_all_*` Celery batch was spread
-- over its workers.
--
-- The daemon asked writes the job and its chunks (owner ids in RUT order, a few dozen per chunk)
-- and notifies `braind_load`; every daemon claims chunks like push rows (FOR UPDATE SKIP LOCKED,
-- a lease its heartbeat renews) and writes each chunk's counts back. A chunk whose daemon died
-- goes to another when its lease runs out; a load is idempotent, so owners it had finished are
-- found unchanged. The job is finished when its last chunk is.
CREATE TABLE IF NOT EXISTS braind_load_jobs (
    id uuid PRIMARY KEY,
    brain text NOT NULL CHECK (brain IN ('company', 'user')),
    started_by text NOT NULL,                     -- the daemon asked; it follows the job's progress
    total integer NOT NULL,                       -- owners in the job's chunks
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz
);
-- One unfinished job per brain: a second request follows the running one.
CREATE UNIQUE INDEX IF NOT EXISTS braind_load_jobs_running ON braind_load_jobs (brain) WHERE finished_at IS NULL;

CREATE TABLE IF NOT EXISTS braind_load_chunks (
    job_id uuid NOT NULL REFERENCES braind_load_jobs (id) ON DELETE CASCADE,
    chunk integer NOT NULL,
    owner_ids uuid[] NOT NULL,
    claimed_by text,
    lease_until timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    done_at timestamptz,
    done_by text,
    summary jsonb,                                -- the chunk's counts and errors (LoadAllSummary)
    PRIMARY KEY (job_id, chunk)
);
CREATE INDEX IF NOT EXISTS braind_load_chunks_open ON braind_load_chunks (job_id, chunk) WHERE done_at IS NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON braind_load_jobs, braind_load_chunks TO braind_service;
