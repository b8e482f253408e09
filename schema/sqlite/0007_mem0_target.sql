-- braind schema 0007: what braind records about itself, such as which Mem0 its memory ids belong to.

CREATE TABLE daemon_state (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
