import BrainCore
import BrainStorePostgres
import Foundation
import PostgresNIO
import Testing

// Needs a real server: run through scripts/with-postgres, which sets BRAIND_TEST_POSTGRES_URL.
@Suite("PostgreSQL row-level security for user-scoped reads", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresRowLevelSecurityTests {
    let ana = "123456785"
    let bruno = "98765432k"
    let acme = "761234565"
    let beta = "771234564"

    /// Ana and Bruno each own memories; Ana has an active session in Acme, none in Beta.
    func seed(_ store: PostgresStore, _ url: PostgresURL) async throws {
        _ = try await store.save(.user, owner: try owner(ana), memories: [.make("name", "Ana"), .make("role", "Contadora")])
        _ = try await store.save(.user, owner: try owner(bruno), memories: [.make("name", "Bruno")])
        _ = try await store.save(.company, owner: try owner(acme), memories: [.make("tax", "ProPyme")])
        _ = try await store.save(.company, owner: try owner(beta), memories: [.make("tax", "General")])
        try await TestPostgres.admin(
            url,
            """
            INSERT INTO sessions (user_id, company_id, is_active)
            SELECT p.id, c.id, true FROM profiles p, companies c WHERE p.rut = '\(ana)' AND c.rut = '\(acme)'
            """)
    }

    /// Queries straight through the user path: the database itself hides and refuses rows.
    @Test func theDatabaseEnforcesTheUsersScope() async throws {
        try await TestPostgres.withStore { store, url in
            try await seed(store, url)
            let (role, userRows, companySlugs) = try await store.withUserScope(userRUT: ana) { connection in
                let role = try await connection.query("SELECT current_user::text", logger: TestPostgres.logger)
                    .collect().first?.decode(String.self)
                let users = try await connection.query(
                    "SELECT p.rut, count(*) FROM user_brain b JOIN profiles p ON p.id = b.user_id GROUP BY p.rut", logger: TestPostgres.logger
                ).collect().map { try $0.decode((String, Int).self) }
                let companies = try await connection.query(
                    "SELECT c.rut FROM company_brain b JOIN companies c ON c.id = b.company_id", logger: TestPostgres.logger
                ).collect().map { try $0.decode(String.self) }
                return (role, users.map { "\($0.0):\($0.1)" }, companies)
            }
            #expect(role == "braind_user")
            #expect(userRows == ["\(ana):2"])
            #expect(companySlugs == [acme])
            // Writing another user's row is refused by the policy, not by the daemon.
            let brunoVisible = try await store.withUserScope(userRUT: ana) { connection in
                try await connection.query("SELECT count(*) FROM profiles WHERE rut = \(bruno)", logger: TestPostgres.logger)
                    .collect().first?.decode(Int.self)
            }
            #expect(brunoVisible == 1)
            do {
                _ = try await store.withUserScope(userRUT: ana) { connection in
                    try await connection.query(
                        "INSERT INTO user_brain (user_id, slug, content) SELECT id, 'x', 'y' FROM profiles WHERE rut = \(bruno)",
                        logger: TestPostgres.logger
                    ).collect()
                }
                Issue.record("Ana wrote a row of Bruno's")
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.message]?.contains("row-level security") == true, "\(String(reflecting: error))")
            }
            let updated = try await store.withUserScope(userRUT: ana) { connection in
                try await connection.query(
                    "UPDATE user_brain SET content = 'hacked' WHERE user_id <> auth.uid() RETURNING 1", logger: TestPostgres.logger
                ).collect().count
            }
            #expect(updated == 0)
            // The pooled connection went back as the service role: everything is visible again.
            #expect(try await store.counts(.user).live == 3)
        }
    }

    /// The reads the routes use for a user token, with the daemon's own check left out: only
    /// the database stands between Ana and the rows she may not see.
    @Test func userScopedReadsSeeOnlyWhatTheDatabaseAllows() async throws {
        try await TestPostgres.withStore { store, url in
            try await seed(store, url)
            let reads = store.reads(asUser: ana)
            #expect(try await reads.list(.user, owner: try owner(ana)).memories.count == 2)
            #expect(try await reads.list(.user, owner: try owner(bruno)).memories.isEmpty)
            #expect(try await reads.list(.company, owner: try owner(acme)).memories.map(\.slug) == ["tax"])
            #expect(try await reads.list(.company, owner: try owner(beta)).memories.isEmpty)
            #expect(try await reads.memory(.user, owner: try owner(ana), slug: "role").content == "Contadora")
            await #expect(throws: BrainError.self) {
                try await reads.memory(.user, owner: try owner(bruno), slug: "name")
            }
            // Search and the mapping of Mem0's hits back to rows go through the same scope.
            #expect(try await reads.searchLocal(.user, owner: try owner(ana), query: "contadora").map(\.memory.slug) == ["role"])
            #expect(try await reads.searchLocal(.user, owner: try owner(bruno), query: "bruno").isEmpty)
            #expect(try await store.searchLocal(.user, owner: try owner(bruno), query: "bruno").count == 1, "the service role sees it")
            try await TestPostgres.admin(url, "UPDATE user_brain b SET memory_id = p.rut || '-' || b.slug FROM profiles p WHERE p.id = b.user_id")
            #expect(try await reads.memories(.user, owner: try owner(ana), memoryIDs: ["\(ana)-name", "\(ana)-role"]).count == 2)
            #expect(try await reads.memories(.user, owner: try owner(bruno), memoryIDs: ["\(bruno)-name"]).isEmpty)
            // A session that ends closes the company's brain at once.
            try await TestPostgres.admin(url, "UPDATE sessions SET is_active = false")
            #expect(try await reads.list(.company, owner: try owner(acme)).memories.isEmpty)
            #expect(try await reads.searchLocal(.company, owner: try owner(acme), query: "propyme").isEmpty)
            #expect(try await !store.hasActiveSession(userRUT: ana, companyRUT: acme))
        }
    }
}
