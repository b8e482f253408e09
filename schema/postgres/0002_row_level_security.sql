-- braind PostgreSQL schema 0002: the seed's row-level security. A user sees and writes only their
-- own user_brain rows (auth.uid() = user_id) and reads the company_brain of companies where they
-- have an active session. braind_service bypasses RLS (service_role); a user-scoped request runs
-- as braind_user with app.user_id set, so the database enforces the token's scope as well.
-- FORCE: the tables' owner would skip the policies otherwise.

-- SECURITY DEFINER so braind_user needs no grant on sessions; search_path pinned so a caller's
-- objects cannot stand in for sessions or now().
CREATE OR REPLACE FUNCTION has_active_session(company uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM sessions s
        WHERE s.user_id = auth.uid() AND s.company_id = company
          AND s.is_active AND (s.expires_at IS NULL OR s.expires_at > now()))
$$;
REVOKE ALL ON FUNCTION has_active_session(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION has_active_session(uuid) TO braind_user, braind_service;

ALTER TABLE user_brain ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_brain FORCE ROW LEVEL SECURITY;
ALTER TABLE company_brain ENABLE ROW LEVEL SECURITY;
ALTER TABLE company_brain FORCE ROW LEVEL SECURITY;

-- The owner (migrations) keeps every row; (select auth.uid()) is evaluated once per statement.
DROP POLICY IF EXISTS user_brain_owner ON user_brain;
CREATE POLICY user_brain_owner ON user_brain FOR ALL TO braind_owner USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS company_brain_owner ON company_brain;
CREATE POLICY company_brain_owner ON company_brain FOR ALL TO braind_owner USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS user_brain_own ON user_brain;
CREATE POLICY user_brain_own ON user_brain FOR ALL TO braind_user
    USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));
DROP POLICY IF EXISTS company_brain_session_read ON company_brain;
CREATE POLICY company_brain_session_read ON company_brain FOR SELECT TO braind_user
    USING (has_active_session(company_id));

GRANT SELECT, INSERT, UPDATE, DELETE ON user_brain TO braind_user;
GRANT SELECT ON company_brain TO braind_user;
-- A user-scoped read joins the owner tables for the RUT; they hold no memories.
GRANT SELECT ON companies, profiles TO braind_user;

-- On Supabase the same policies apply to its authenticated role, as the seed had them.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        DROP POLICY IF EXISTS user_brain_own_authenticated ON user_brain;
        CREATE POLICY user_brain_own_authenticated ON user_brain FOR ALL TO authenticated
            USING (user_id = (SELECT auth.uid())) WITH CHECK (user_id = (SELECT auth.uid()));
        DROP POLICY IF EXISTS company_brain_session_read_authenticated ON company_brain;
        CREATE POLICY company_brain_session_read_authenticated ON company_brain FOR SELECT TO authenticated
            USING (has_active_session(company_id));
        GRANT EXECUTE ON FUNCTION has_active_session(uuid) TO authenticated;
    END IF;
END $$;
