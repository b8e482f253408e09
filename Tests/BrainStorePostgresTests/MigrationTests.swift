import BrainCore
import BrainStorePostgres
import Foundation
import PostgresNIO
import Testing

// Needs a real server: run through scripts/with-postgres, which sets BRAIND_TEST_POSTGRES_URL.
@Suite("PostgreSQL migrations", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresMigrationTests {
    @Test func twoStoresStartingTogetherMigrateOnce() async throws {
        try await TestPostgres.withDatabase { url in
            async let first = PostgresStore.open(url: url, options: TestPostgres.relaxed, logger: TestPostgres.logger)
            async let second = PostgresStore.open(url: url, options: TestPostgres.relaxed, logger: TestPostgres.logger)
            let stores = try await [first, second]
            for store in stores {
                #expect(try await store.appliedMigrations() == Array(1...PostgresStore.schemaVersion))
                await store.close()
            }
            let rows = try await TestPostgres.scalar(url, "SELECT count(*) FROM schema_migrations", as: Int.self)
            #expect(rows == PostgresStore.schemaVersion)
        }
    }

    @Test func reopeningFindsNothingToDo() async throws {
        try await TestPostgres.withDatabase { url in
            let store = try await PostgresStore.open(url: url, options: TestPostgres.relaxed, logger: TestPostgres.logger)
            _ = try await store.save(.company, owner: try owner("76.123.456-5"), memories: [.make("a", "kept")])
            await store.close()
            let again = try await PostgresStore.open(url: url, options: TestPostgres.relaxed, logger: TestPostgres.logger)
            #expect(try await again.memory(.company, owner: try owner("761234565"), slug: "a").content == "kept")
            await again.close()
        }
    }

    @Test func aNewerSchemaIsRefusedNamingItsVersion() async throws {
        try await TestPostgres.withDatabase { url in
            let store = try await PostgresStore.open(url: url, options: TestPostgres.relaxed, logger: TestPostgres.logger)
            await store.close()
            try await TestPostgres.admin(url, "SET ROLE braind_owner", "INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future')")
            do {
                let newer = try await PostgresStore.open(url: url, options: TestPostgres.relaxed, logger: TestPostgres.logger)
                await newer.close()
                Issue.record("a database at schema 999 was opened")
            } catch let error as PostgresStoreError {
                guard case .schemaNewer(let found, let supported, _) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(found == 999)
                #expect(supported == PostgresStore.schemaVersion)
                #expect(error.description.contains("999"))
            }
        }
    }

    /// The seed's own Supabase tables, holding rows, become braind's: every row is kept, rows
    /// with a Mem0 id count as synced.
    @Test func adoptsTheSeedsTablesKeepingEveryRow() async throws {
        try await TestPostgres.withDatabase { url in
            try await TestPostgres.admin(
                url, "SET ROLE braind_owner",
                "CREATE TABLE companies (id uuid PRIMARY KEY, rut text UNIQUE, name text)",
                "CREATE TABLE profiles (id uuid PRIMARY KEY, rut text UNIQUE, full_name text)",
                """
                CREATE TABLE public.company_brain (
                    id UUID PRIMARY KEY, company_id UUID NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
                    memory_id VARCHAR(255) NOT NULL UNIQUE, slug VARCHAR(255) NOT NULL, content TEXT NOT NULL,
                    extra_metadata JSONB DEFAULT '{}', created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
                    UNIQUE(company_id, slug))
                """,
                """
                CREATE TABLE public.user_brain (
                    id UUID PRIMARY KEY, user_id UUID NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
                    memory_id VARCHAR(255) NOT NULL UNIQUE, slug VARCHAR(255) NOT NULL, content TEXT NOT NULL,
                    extra_metadata JSONB DEFAULT '{}', created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
                    UNIQUE(user_id, slug))
                """,
                "INSERT INTO companies VALUES ('11111111-1111-1111-1111-111111111111', '761234565', 'Acme')",
                "INSERT INTO profiles VALUES ('22222222-2222-2222-2222-222222222222', '123456785', 'Ana')",
                """
                INSERT INTO company_brain VALUES
                  (gen_random_uuid(), '11111111-1111-1111-1111-111111111111', 'mem_1', 'company_tax_regime',
                   'Régimen tributario: ProPyme General', '{"category": "company_tax"}', now() - interval '1 day', now()),
                  (gen_random_uuid(), '11111111-1111-1111-1111-111111111111', 'mem_2', 'company_activity',
                   'Giro: venta al por menor', NULL, now(), now())
                """,
                """
                INSERT INTO user_brain VALUES
                  (gen_random_uuid(), '22222222-2222-2222-2222-222222222222', 'mem_3', 'user_full_name', 'Nombre: Ana', '{}', now(), now())
                """)
            let store = try await PostgresStore.open(url: url, options: TestPostgres.relaxed, logger: TestPostgres.logger)
            defer { Task { await store.close() } }
            let company = try owner("761234565")
            let page = try await store.list(.company, owner: company)
            #expect(page.memories.map(\.slug) == ["company_activity", "company_tax_regime"])
            #expect(page.memories.allSatisfy { $0.syncState == .synced && $0.syncedVersion == $0.version && $0.memoryID != nil })
            #expect(page.memories.first { $0.slug == "company_tax_regime" }?.category == "company_tax")
            let user = try await store.list(.user, owner: try owner("12345678-5"))
            #expect(user.memories.map(\.memoryID) == ["mem_3"])
            #expect(try await store.counts(.company).synced == 2)
            #expect(try await store.claimPushTasks(limit: 10).isEmpty)
            // New rows take the new path: no Mem0 id until pushed.
            let saved = try await store.save(.company, owner: company, memories: [.make("company_size", "Pyme")])
            #expect(saved.items.first?.status == .created)
            #expect(try await store.memory(.company, owner: company, slug: "company_size").memoryID == nil)
            #expect(try await store.searchLocal(.company, owner: company, query: "regimen propyme").map(\.memory.slug) == ["company_tax_regime"])
        }
    }

    /// The embedded SQL is what schema/postgres holds (scripts/embed-postgres-schema).
    @Test func embeddedSchemaMatchesTheFiles() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../schema/postgres").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.count == PostgresStore.schemaVersion)
        for (index, file) in files.enumerated() {
            #expect(file.hasPrefix(String(format: "%04d_", index + 1)))
        }
        #expect(PostgresStore.embeddedSchemaMatches(directory: directory.path))
    }
}
