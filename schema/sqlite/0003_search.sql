-- braind schema 0003: full-text search over both brains (content, slug, category).
-- unicode61 with remove_diacritics 2 folds case and accents, so "regimen propyme" finds
-- "Régimen tributario: ProPyme General". The `owner` column holds one token per owner
-- ('o' + the owner's UUID without dashes) so a query is scoped to one owner inside the index.
-- Queries match whole words (no prefix index: prefix queries scan every owner's terms).
-- Each index row has the rowid of its brain row; triggers keep both in step in the same
-- transaction, and tombstones are not indexed.

CREATE VIRTUAL TABLE company_search USING fts5(
    content, slug, category, owner,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIRTUAL TABLE user_search USING fts5(
    content, slug, category, owner,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER company_brain_search_insert AFTER INSERT ON company_brain WHEN NEW.deleted = 0
BEGIN
    INSERT INTO company_search (rowid, content, slug, category, owner)
    VALUES (NEW.rowid, NEW.content, NEW.slug, coalesce(NEW.category, ''), 'o' || replace(NEW.company_id, '-', ''));
END;

CREATE TRIGGER company_brain_search_update AFTER UPDATE OF content, slug, category, deleted ON company_brain
BEGIN
    DELETE FROM company_search WHERE rowid = OLD.rowid;
    INSERT INTO company_search (rowid, content, slug, category, owner)
    SELECT NEW.rowid, NEW.content, NEW.slug, coalesce(NEW.category, ''), 'o' || replace(NEW.company_id, '-', '')
    WHERE NEW.deleted = 0;
END;

CREATE TRIGGER company_brain_search_delete AFTER DELETE ON company_brain
BEGIN
    DELETE FROM company_search WHERE rowid = OLD.rowid;
END;

CREATE TRIGGER user_brain_search_insert AFTER INSERT ON user_brain WHEN NEW.deleted = 0
BEGIN
    INSERT INTO user_search (rowid, content, slug, category, owner)
    VALUES (NEW.rowid, NEW.content, NEW.slug, coalesce(NEW.category, ''), 'o' || replace(NEW.user_id, '-', ''));
END;

CREATE TRIGGER user_brain_search_update AFTER UPDATE OF content, slug, category, deleted ON user_brain
BEGIN
    DELETE FROM user_search WHERE rowid = OLD.rowid;
    INSERT INTO user_search (rowid, content, slug, category, owner)
    SELECT NEW.rowid, NEW.content, NEW.slug, coalesce(NEW.category, ''), 'o' || replace(NEW.user_id, '-', '')
    WHERE NEW.deleted = 0;
END;

CREATE TRIGGER user_brain_search_delete AFTER DELETE ON user_brain
BEGIN
    DELETE FROM user_search WHERE rowid = OLD.rowid;
END;

INSERT INTO company_search (rowid, content, slug, category, owner)
SELECT rowid, content, slug, coalesce(category, ''), 'o' || replace(company_id, '-', '') FROM company_brain WHERE deleted = 0;

INSERT INTO user_search (rowid, content, slug, category, owner)
SELECT rowid, content, slug, coalesce(category, ''), 'o' || replace(user_id, '-', '') FROM user_brain WHERE deleted = 0;
