-- braind schema 0005: where each brain row came from, so that a load removes only what it wrote.
-- Never edit this file once shipped; add a new numbered migration instead.
--
-- 'save': written by an agent (a save through the API, the CLI or MCP, or a reconcile adoption).
-- 'loader': written by a load from owner data (`brain load`).
-- A load deletes a builder memory whose field became empty only when the row is the loader's;
-- an agent's save over a loader row makes it the agent's. Rows older than this migration are
-- marked 'save': their origin is unknown and keeping a memory is the safe side. A later load that
-- finds such a row exactly as it would write it takes it over.
ALTER TABLE company_brain ADD COLUMN source TEXT NOT NULL DEFAULT 'save' CHECK (source IN ('save', 'loader'));
ALTER TABLE user_brain ADD COLUMN source TEXT NOT NULL DEFAULT 'save' CHECK (source IN ('save', 'loader'));
