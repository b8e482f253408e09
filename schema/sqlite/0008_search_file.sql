-- braind schema 0008: the search index leaves this file for one of its own beside it
-- (`<database>-search`), written by its own thread after saves commit. Indexing inside the save's
-- transaction was a third of the writer's time per save (FTS5 writes a segment per transaction).
-- Here the brain tables only note, in commit order, which rows changed; the index follows that list
-- and braind prunes it behind the index. A search first waits until the index has followed the list
-- to where it stood when the search began, so a save is searchable once it is acknowledged.
-- The index is derived data: a missing, foreign or stale index file is rebuilt from these tables.

DROP TRIGGER company_brain_search_insert;
DROP TRIGGER company_brain_search_update;
DROP TRIGGER company_brain_search_delete;
DROP TRIGGER user_brain_search_insert;
DROP TRIGGER user_brain_search_update;
DROP TRIGGER user_brain_search_delete;
DROP TABLE company_search;
DROP TABLE user_search;

-- AUTOINCREMENT: a pruned list never hands a sequence number out again, so an index that has
-- followed the list to number N has seen every change up to N.
CREATE TABLE search_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    brain INTEGER NOT NULL,                           -- 0 company_brain, 1 user_brain
    row INTEGER NOT NULL                              -- the brain row's rowid
);

CREATE TRIGGER company_brain_search_insert AFTER INSERT ON company_brain
BEGIN
    INSERT INTO search_changes (brain, row) VALUES (0, NEW.rowid);
END;

CREATE TRIGGER company_brain_search_update AFTER UPDATE OF content, slug, category, deleted, company_id ON company_brain
BEGIN
    INSERT INTO search_changes (brain, row) VALUES (0, NEW.rowid);
END;

CREATE TRIGGER company_brain_search_delete AFTER DELETE ON company_brain
BEGIN
    INSERT INTO search_changes (brain, row) VALUES (0, OLD.rowid);
END;

CREATE TRIGGER user_brain_search_insert AFTER INSERT ON user_brain
BEGIN
    INSERT INTO search_changes (brain, row) VALUES (1, NEW.rowid);
END;

CREATE TRIGGER user_brain_search_update AFTER UPDATE OF content, slug, category, deleted, user_id ON user_brain
BEGIN
    INSERT INTO search_changes (brain, row) VALUES (1, NEW.rowid);
END;

CREATE TRIGGER user_brain_search_delete AFTER DELETE ON user_brain
BEGIN
    INSERT INTO search_changes (brain, row) VALUES (1, OLD.rowid);
END;

-- Which database an index file belongs to: an index beside another store's file is rebuilt.
INSERT INTO daemon_state (key, value) VALUES ('search.source', lower(hex(randomblob(16))));
