-- braind schema 0002: one row per reconcile run, with its report.

CREATE TABLE reconcile_runs (
    id TEXT PRIMARY KEY NOT NULL,                 -- UUID
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    report TEXT NOT NULL CHECK (json_valid(report))  -- the ReconcileReport as JSON
);
CREATE INDEX reconcile_runs_started ON reconcile_runs (started_at);
