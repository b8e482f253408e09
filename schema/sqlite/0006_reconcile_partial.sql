-- braind schema 0006: a reconcile run can end `partial` (some entities could not be listed).
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt with its rows.

CREATE TABLE reconcile_runs_new (
    id TEXT PRIMARY KEY NOT NULL,                 -- UUID
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'interrupted')),
    dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    report TEXT NOT NULL CHECK (json_valid(report))  -- the ReconcileReport as JSON
);
INSERT INTO reconcile_runs_new (id, started_at, finished_at, status, dry_run, report)
    SELECT id, started_at, finished_at, status, dry_run, report FROM reconcile_runs;
DROP TABLE reconcile_runs;
ALTER TABLE reconcile_runs_new RENAME TO reconcile_runs;
CREATE INDEX reconcile_runs_started ON reconcile_runs (started_at);
