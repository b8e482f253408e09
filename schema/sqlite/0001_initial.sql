-- braind schema 0001: owners, the two brain tables of the seed, and the append-only events journal.
-- Never edit this file once shipped; add a new numbered migration instead.

-- Owners. `rut` is the normalized RUT (digits + lowercase check digit), which is Mem0's entity id.
CREATE TABLE companies (
    id TEXT PRIMARY KEY NOT NULL,                 -- UUID, lowercase
    rut TEXT NOT NULL UNIQUE,
    business_name TEXT,
    tax_regime TEXT,
    sii_activity_name TEXT,
    sii_activity_code TEXT,
    legal_representative_name TEXT,
    legal_representative_rut TEXT,
    start_of_activities TEXT,                     -- ISO date YYYY-MM-DD
    accounting_start_month TEXT,                  -- YYYY-MM
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE profiles (
    id TEXT PRIMARY KEY NOT NULL,                 -- UUID, lowercase
    rut TEXT NOT NULL UNIQUE,
    full_name TEXT,
    email TEXT,
    phone TEXT,
    role TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Which users have an active session with which company (the seed's RLS rule for company brains).
CREATE TABLE sessions (
    user_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, company_id)
);

-- The brain tables keep the seed's columns and constraints. `memory_id` stays NULL until the first
-- successful push (SQLite lets a UNIQUE column hold many NULLs). The sync columns track what Mem0
-- has: a row needs a push while `version > synced_version`.
CREATE TABLE company_brain (
    id TEXT PRIMARY KEY NOT NULL,                 -- UUID; sent to Mem0 as metadata.record_id
    company_id TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    memory_id TEXT UNIQUE,
    slug TEXT NOT NULL CHECK (length(slug) BETWEEN 1 AND 255),
    category TEXT,
    content TEXT NOT NULL,
    extra_metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra_metadata)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    synced_version INTEGER NOT NULL DEFAULT 0,
    sync_state TEXT NOT NULL DEFAULT 'pending'
        CHECK (sync_state IN ('pending', 'in_flight', 'synced', 'failed')),
    sync_attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    push_started_at TEXT,                         -- set before an add whose outcome may be unknown
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),  -- tombstone awaiting remote delete
    UNIQUE (company_id, slug)
);

CREATE TABLE user_brain (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    memory_id TEXT UNIQUE,
    slug TEXT NOT NULL CHECK (length(slug) BETWEEN 1 AND 255),
    category TEXT,
    content TEXT NOT NULL,
    extra_metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra_metadata)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    synced_version INTEGER NOT NULL DEFAULT 0,
    sync_state TEXT NOT NULL DEFAULT 'pending'
        CHECK (sync_state IN ('pending', 'in_flight', 'synced', 'failed')),
    sync_attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    push_started_at TEXT,
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    UNIQUE (user_id, slug)
);

-- The push worker's scan: dirty rows only, so a large synced brain costs nothing to skip.
CREATE INDEX company_brain_dirty ON company_brain (next_attempt_at) WHERE version > synced_version;
CREATE INDEX user_brain_dirty ON user_brain (next_attempt_at) WHERE version > synced_version;
CREATE INDEX company_brain_category ON company_brain (company_id, category);
CREATE INDEX user_brain_category ON user_brain (user_id, category);

-- Append-only journal of every change and sync outcome.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,                           -- created, updated, deleted, pushed, repaired, failed, ...
    brain TEXT NOT NULL CHECK (brain IN ('company', 'user')),
    owner_id TEXT NOT NULL,
    record_id TEXT,
    slug TEXT,
    version INTEGER,
    detail TEXT                                   -- JSON object, optional
);
CREATE INDEX events_record ON events (record_id);

-- The journal is append-only: history is never rewritten, only trimmed by retention (oldest first).
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events is append-only');
END;
