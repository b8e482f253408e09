-- braind PostgreSQL schema 0003: full-text search over both brains (content, slug, category).
-- Case and accents are folded (the 'simple' configuration lowercases, unaccent strips accents), so
-- "regimen propyme" finds "Régimen tributario: ProPyme General". As in the SQLite store, the
-- vector holds one token per owner ('o' + the owner's UUID without dashes) and a query ANDs it
-- with the words, so one GIN index answers an owner-scoped search: GIN's fast scan seeks the
-- common words through the owner's short posting list, and the cost follows the owner's memories,
-- not the table's 1,000,000 rows. Tombstones get an empty vector and are never found.

-- unaccent is a trusted extension (PostgreSQL 13+): the database owner may create it. On
-- Supabase it may live in another schema; the wrapper names whichever schema holds it.
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (its dictionary could change), so a generated column cannot call it;
-- naming the dictionary makes the result depend on the argument alone.
DO $$
DECLARE
    schema_name text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                          WHERE e.extname = 'unaccent');
BEGIN
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION braind_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT '
        'AS $f$ SELECT %I.unaccent(%L::regdictionary, $1) $f$',
        schema_name, schema_name || '.unaccent');
END $$;

-- Word weights as in the SQLite store's bm25 (content 10, slug 4, category 2): A, B, C; the owner
-- token is D and weighs nothing in the rank.
CREATE OR REPLACE FUNCTION braind_search_vector(owner uuid, slug text, category text, content text, deleted boolean)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN deleted THEN ''::tsvector ELSE
        setweight(to_tsvector('simple'::regconfig, braind_unaccent(coalesce(content, ''))), 'A') ||
        setweight(to_tsvector('simple'::regconfig, braind_unaccent(coalesce(slug, ''))), 'B') ||
        setweight(to_tsvector('simple'::regconfig, braind_unaccent(coalesce(category, ''))), 'C') ||
        setweight(to_tsvector('simple'::regconfig, 'o' || replace(owner::text, '-', '')), 'D')
    END
$$;

ALTER TABLE company_brain ADD COLUMN IF NOT EXISTS search tsvector
    GENERATED ALWAYS AS (braind_search_vector(company_id, slug, category, content, deleted)) STORED;
ALTER TABLE user_brain ADD COLUMN IF NOT EXISTS search tsvector
    GENERATED ALWAYS AS (braind_search_vector(user_id, slug, category, content, deleted)) STORED;
CREATE INDEX IF NOT EXISTS company_brain_search ON company_brain USING gin (search);
CREATE INDEX IF NOT EXISTS user_brain_search ON user_brain USING gin (search);
