import BrainCore
import BrainStorePostgres
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// Rows written by other programs (schema 0006): queued like a save, refused rows marked failed,
/// deletes kept as tombstones while Mem0 holds the memory, and every listener woken.
@Suite("PostgreSQL rows written outside braind", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresExternalWriteTests {
    let acme = "761234565"

    func insertCompany(_ url: PostgresURL) async throws {
        try await TestPostgres.admin(url, "INSERT INTO companies (rut) VALUES ('\(acme)')")
    }

    func state(_ url: PostgresURL, _ slug: String) async throws -> String? {
        try await TestPostgres.scalar(
            url, "SELECT sync_state || ' v' || version || ' s' || synced_version || CASE WHEN deleted THEN ' deleted' ELSE '' END FROM company_brain WHERE slug = '\(slug)'")
    }

    @Test func anInsertIsQueuedAndOneWithAMemoryIDCountsAsSynced() async throws {
        try await TestPostgres.withStore { store, url in
            try await insertCompany(url)
            try await TestPostgres.admin(
                url,
                "INSERT INTO company_brain (company_id, slug, content) SELECT id, 'regime', 'ProPyme General' FROM companies",
                "INSERT INTO company_brain (company_id, slug, content, memory_id) SELECT id, 'seeded', 'Written by the seed', 'mem-seed' FROM companies")
            #expect(try await state(url, "regime") == "pending v1 s0")
            #expect(try await state(url, "seeded") == "synced v1 s1")
            let tasks = try await store.claimPushTasks(limit: 10)
            #expect(tasks.map(\.slug) == ["regime"])
            #expect(tasks.first?.operation == .add)
        }
    }

    @Test func anUpdateWithoutAVersionBumpIsQueuedAsAnUpdate() async throws {
        try await TestPostgres.withStore { store, url in
            _ = try await store.save(.company, owner: try owner(acme), memories: [.make("regime", "ProPyme")])
            let add = try #require(try await store.claimPushTasks(limit: 1).first)
            try await store.completePush(add, outcome: .stored(memoryID: "mem-1"))
            try await TestPostgres.admin(url, "UPDATE company_brain SET content = 'Régimen General' WHERE slug = 'regime'")
            #expect(try await state(url, "regime") == "pending v2 s1")
            let update = try #require(try await store.claimPushTasks(limit: 1).first)
            #expect(update.operation == .update)
            #expect(update.content == "Régimen General")
            // An edit during that push: the row stays in flight, and the outcome leaves it pending.
            try await TestPostgres.admin(url, "UPDATE company_brain SET extra_metadata = '{\"source\": \"dashboard\"}' WHERE slug = 'regime'")
            #expect(try await state(url, "regime") == "in_flight v3 s1")
            try await store.completePush(update, outcome: .stored(memoryID: "mem-1"))
            #expect(try await state(url, "regime") == "pending v3 s2")
            // braind's own save bumps the version once, not twice.
            _ = try await store.save(.company, owner: try owner(acme), memories: [.make("regime", "Otro")])
            #expect(try await state(url, "regime") == "pending v4 s2")
        }
    }

    @Test func aDeleteOfARowMem0HoldsLeavesATombstoneForThePushWorker() async throws {
        try await TestPostgres.withStore { store, url in
            _ = try await store.save(.company, owner: try owner(acme), memories: [.make("pushed", "a"), .make("local", "b")])
            let add = try #require(try await store.claimPushTasks(limit: 10).first { $0.slug == "pushed" })
            try await store.completePush(add, outcome: .stored(memoryID: "mem-1"))
            try await TestPostgres.admin(url, "DELETE FROM company_brain WHERE slug IN ('pushed', 'local')")
            #expect(try await state(url, "pushed") == "pending v2 s1 deleted")
            #expect(try await state(url, "local") == "in_flight v2 s0 deleted", "an add under way may have reached Mem0")
            let tasks = try await store.claimPushTasks(limit: 10)
            let delete = try #require(tasks.first { $0.slug == "pushed" })
            #expect(delete.operation == .delete)
            try await store.completePush(delete, outcome: .deleted)
            #expect(try await state(url, "pushed") == nil, "braind purges the tombstone once Mem0's copy is gone")
            // A row Mem0 never had and no add of which started is simply gone.
            _ = try await store.save(.company, owner: try owner(acme), memories: [.make("draft", "c")])
            try await TestPostgres.admin(url, "DELETE FROM company_brain WHERE slug = 'draft'")
            #expect(try await state(url, "draft") == nil)
        }
    }

    /// Deleting an owner cascades to its brain rows; one Mem0 holds would become a tombstone, so
    /// the cascade cannot complete and the owner stays, with every row.
    @Test func deletingAnOwnerWhoseMemoriesMem0HoldsIsRefused() async throws {
        try await TestPostgres.withStore { store, url in
            _ = try await store.save(.company, owner: try owner(acme), memories: [.make("pushed", "a")])
            let add = try #require(try await store.claimPushTasks(limit: 1).first)
            try await store.completePush(add, outcome: .stored(memoryID: "mem-1"))
            do {
                try await TestPostgres.admin(url, "DELETE FROM companies WHERE rut = '\(acme)'")
                Issue.record("the owner was deleted while Mem0 holds its memory")
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.message]?.contains("Mem0 still holds its memory") == true, "\(String(reflecting: error))")
                #expect(error.serverInfo?[.hint]?.contains("brain rows first") == true)
            }
            #expect(try await TestPostgres.scalar(url, "SELECT count(*)::int FROM companies", as: Int.self) == 1)
            #expect(try await state(url, "pushed") == "synced v1 s1")
        }
    }

    @Test func aRowBraindWouldRefuseIsFailedWithTheReasonAndNeverClaimed() async throws {
        try await TestPostgres.withStore { store, url in
            try await insertCompany(url)
            try await TestPostgres.admin(
                url,
                "INSERT INTO company_brain (company_id, slug, content) SELECT id, 'Bad Slug', 'x' FROM companies",
                "INSERT INTO company_brain (company_id, slug, content, extra_metadata) SELECT id, 'reserved', 'x', '{\"record_id\": 1}' FROM companies")
            #expect(try await store.claimPushTasks(limit: 10).isEmpty)
            let failed = try await store.failedMemories(brain: .company, limit: 10)
            #expect(Set(failed.map(\.slug)) == ["Bad Slug", "reserved"])
            #expect(failed.allSatisfy { $0.lastError?.hasPrefix("written outside braind: ") == true }, "\(failed.map(\.lastError))")
            #expect(failed.first { $0.slug == "Bad Slug" }?.lastError?.contains("must match ^[a-z0-9][a-z0-9_]*$") == true)
        }
    }

    @Test func aListenerIsWokenByAnotherProgramsInsert() async throws {
        try await TestPostgres.withStore { store, url in
            try await insertCompany(url)
            let wakes = Counter()
            let listener = Task { await store.listen(ClusterSignals(wake: { wakes.value.add(1, ordering: .relaxed) })) }
            defer { listener.cancel() }
            // The first wake comes on connecting (for what was written while nobody listened).
            var connected = false
            for _ in 0..<200 where !connected {
                try await Task.sleep(for: .milliseconds(50))
                connected = wakes.value.load(ordering: .relaxed) >= 1
            }
            #expect(connected)
            // LISTEN is sent right after the connecting wake; give it a moment before writing.
            try await Task.sleep(for: .milliseconds(300))
            let before = wakes.value.load(ordering: .relaxed)
            try await TestPostgres.admin(url, "INSERT INTO company_brain (company_id, slug, content) SELECT id, 'psql', 'x' FROM companies")
            var woken = false
            for _ in 0..<200 where !woken {
                try await Task.sleep(for: .milliseconds(50))
                woken = wakes.value.load(ordering: .relaxed) > before
            }
            #expect(woken, "the insert's notification reached the listener")
            listener.cancel()
            await listener.value
        }
    }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}
