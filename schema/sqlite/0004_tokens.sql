-- braind schema 0004: scoped access tokens (the seed's row-level security, on one machine).
-- Only a SHA-256 hash of each token is kept; the token itself is shown once, at creation.

CREATE TABLE access_tokens (
    id TEXT PRIMARY KEY NOT NULL,                 -- UUID, shown in `brain token list`
    token_hash TEXT NOT NULL UNIQUE,              -- hex SHA-256 of the token
    brain TEXT NOT NULL CHECK (brain IN ('company', 'user')),
    rut TEXT NOT NULL,                            -- normalized RUT the token is scoped to
    read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
