-- braind PostgreSQL schema 0006: rows written by other programs (the seed's service, psql, a
-- Supabase dashboard edit, a SQL migration) reach Mem0 like a save, and every daemon on the
-- database hears at once that a row waits for a push.
--
-- braind bumps `version` whenever it changes what Mem0 holds (content, category, metadata) and
-- sets the sync columns itself. A writer that changes those fields without bumping `version` is
-- another program: the trigger bumps it and queues the row.

-- Why braind would refuse this row from a client, or NULL: the rules of MemoryInput.
CREATE OR REPLACE FUNCTION braind_refusal(slug text, content text, category text, metadata jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN slug IS NULL OR slug !~ '^[a-z0-9][a-z0-9_]*$'
            THEN format('slug %s must match ^[a-z0-9][a-z0-9_]*$', coalesce(quote_literal(slug), 'NULL'))
        WHEN octet_length(slug) > 255 THEN 'slug: at most 255 characters'
        WHEN content IS NULL OR btrim(content, E' \t\r\n') = '' THEN 'content must be a non-empty string'
        WHEN octet_length(content) > 32768 THEN 'content: at most 32768 bytes'
        WHEN char_length(category) > 64 THEN 'category: at most 64 characters'
        WHEN metadata IS NOT NULL AND jsonb_typeof(metadata) <> 'object' THEN 'extra_metadata must be a JSON object'
        WHEN metadata ?| ARRAY['brain', 'slug', 'category', 'record_id']
            THEN 'extra_metadata holds a key braind sets itself (brain, slug, category, record_id)'
        WHEN octet_length(metadata::text) > 8192 THEN 'extra_metadata: at most 8192 bytes'
    END
$$;

CREATE OR REPLACE FUNCTION braind_external_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    refusal text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- The seed's service adds to Mem0 first and inserts with the memory id: what Mem0 holds.
        IF NEW.memory_id IS NOT NULL AND NEW.synced_version = 0 AND NEW.sync_state = 'pending' THEN
            NEW.synced_version := NEW.version;
            NEW.sync_state := 'synced';
        END IF;
    ELSIF NEW.version = OLD.version AND NOT NEW.deleted
          AND (NEW.content IS DISTINCT FROM OLD.content OR NEW.category IS DISTINCT FROM OLD.category
               OR NEW.extra_metadata IS DISTINCT FROM OLD.extra_metadata) THEN
        NEW.version := OLD.version + 1;
        IF NEW.updated_at = OLD.updated_at THEN NEW.updated_at := now(); END IF;
        NEW.sync_attempts := 0;
        NEW.next_attempt_at := NULL;
        NEW.last_error := NULL;
        -- A row in flight stays so: the pusher's outcome leaves it pending for this version.
        IF OLD.sync_state <> 'in_flight' THEN NEW.sync_state := 'pending'; END IF;
    ELSE
        RETURN NEW;
    END IF;
    IF NEW.sync_state = 'pending' AND NEW.version > NEW.synced_version THEN
        refusal := braind_refusal(NEW.slug, NEW.content, NEW.category, NEW.extra_metadata);
        IF refusal IS NOT NULL THEN
            -- Never pushed and never crashing a worker: failed, with the reason, in `brain list --failed`.
            NEW.sync_state := 'failed';
            NEW.last_error := 'written outside braind: ' || refusal;
        END IF;
    END IF;
    RETURN NEW;
END $$;

-- braind itself deletes only rows Mem0 never had and tombstones whose remote delete is done. Any
-- other delete is another program's while Mem0 still holds the memory (or an add of it may be
-- under way): the row becomes a tombstone instead, which the push worker deletes from Mem0 and
-- then purges.
CREATE OR REPLACE FUNCTION braind_external_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT OLD.deleted AND (OLD.memory_id IS NOT NULL OR OLD.push_started_at IS NOT NULL) THEN
        -- Deleting the owner cascades here; a tombstone cannot outlive its owner, and dropping
        -- the row would leave Mem0's memory behind.
        IF pg_trigger_depth() > 1 THEN
            RAISE EXCEPTION 'cannot delete the owner of %.% row % (slug %): Mem0 still holds its memory', TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.id, OLD.slug
                USING HINT = 'delete the owner''s brain rows first (braind deletes them from Mem0), then the owner';
        END IF;
        EXECUTE format(
            'UPDATE %I.%I SET deleted = true, version = version + 1, updated_at = now(), sync_attempts = 0,
                 next_attempt_at = NULL, last_error = NULL,
                 sync_state = CASE WHEN sync_state = ''in_flight'' THEN ''in_flight'' ELSE ''pending'' END
             WHERE id = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME) USING OLD.id;
        RETURN NULL;
    END IF;
    RETURN OLD;
END $$;

-- One notification per transaction (PostgreSQL folds equal ones): a row is due for a push now.
CREATE OR REPLACE FUNCTION braind_notify_push() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('braind_push', '');
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS company_brain_external_write ON company_brain;
CREATE TRIGGER company_brain_external_write BEFORE INSERT OR UPDATE ON company_brain
    FOR EACH ROW EXECUTE FUNCTION braind_external_write();
DROP TRIGGER IF EXISTS user_brain_external_write ON user_brain;
CREATE TRIGGER user_brain_external_write BEFORE INSERT OR UPDATE ON user_brain
    FOR EACH ROW EXECUTE FUNCTION braind_external_write();
DROP TRIGGER IF EXISTS company_brain_external_delete ON company_brain;
CREATE TRIGGER company_brain_external_delete BEFORE DELETE ON company_brain
    FOR EACH ROW EXECUTE FUNCTION braind_external_delete();
DROP TRIGGER IF EXISTS user_brain_external_delete ON user_brain;
CREATE TRIGGER user_brain_external_delete BEFORE DELETE ON user_brain
    FOR EACH ROW EXECUTE FUNCTION braind_external_delete();
-- Only rows due now: a retry scheduled for later, a claim or an outcome wakes nobody.
DROP TRIGGER IF EXISTS company_brain_notify_push ON company_brain;
CREATE TRIGGER company_brain_notify_push AFTER INSERT OR UPDATE ON company_brain FOR EACH ROW
    WHEN (NEW.sync_state = 'pending' AND NEW.version > NEW.synced_version AND NEW.next_attempt_at IS NULL)
    EXECUTE FUNCTION braind_notify_push();
DROP TRIGGER IF EXISTS user_brain_notify_push ON user_brain;
CREATE TRIGGER user_brain_notify_push AFTER INSERT OR UPDATE ON user_brain FOR EACH ROW
    WHEN (NEW.sync_state = 'pending' AND NEW.version > NEW.synced_version AND NEW.next_attempt_at IS NULL)
    EXECUTE FUNCTION braind_notify_push();
