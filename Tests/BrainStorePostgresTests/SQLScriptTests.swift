@testable import BrainStorePostgres
import Testing

/// Pure: the splitter that turns a migration file into statements (PostgresNIO takes one at a time).
@Suite("Migration scripts split into statements")
struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesBodiesAndComments() {
        let script = """
            -- a comment; not a statement
            CREATE TABLE t (a text DEFAULT 'x;y');
            /* block; comment */
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            DO $body$ BEGIN EXECUTE 'SELECT 2;'; END $body$;
            SELECT "odd;name" FROM t WHERE a = 'it''s;';
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 4)
        #expect(statements[0] == "CREATE TABLE t (a text DEFAULT 'x;y')")
        #expect(statements[1].hasSuffix("$$ SELECT 1; $$"))
        #expect(statements[2].hasPrefix("DO $body$"))
        #expect(statements[3].hasSuffix("'it''s;'"))
    }

    @Test func placeholdersAreNotDollarQuotes() {
        #expect(SQLScript.statements("SELECT $1; SELECT 2").count == 2)
    }

    @Test func everyEmbeddedMigrationSplits() {
        for migration in EmbeddedPostgresSchema.migrations {
            #expect(!SQLScript.statements(migration.sql).isEmpty, "\(migration.name)")
        }
    }
}
