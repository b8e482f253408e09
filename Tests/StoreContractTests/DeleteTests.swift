@testable import BrainCore
import BrainTestSupport
import Testing

struct DeleteTests {
    @Test("A memory never pushed is purged at once")
    func purgeUnpushed() async throws {
        let database = try await makeTestDatabase()
        let company = try owner(companyRUT)
        _ = try await database.save(.company, owner: company, memories: [memory("a", "x")])
        #expect(try await database.delete(.company, owner: company, slug: "a").status == "purged")
        #expect(try await rowCount(database) == 0)
        await #expect(throws: BrainError.memoryNotFound(brain: .company, owner: "123456785", slug: "a")) {
            try await database.memory(.company, owner: company, slug: "a")
        }
    }

    @Test("A pushed memory becomes a tombstone: gone for readers, kept for the push worker")
    func tombstone() async throws {
        let database = try await makeTestDatabase()
        let company = try owner(companyRUT)
        _ = try await database.save(.company, owner: company, memories: [memory("a", "x"), memory("b", "y")])
        try await markPushed(database, slug: "a", memoryID: "mem-1")

        let result = try await database.delete(.company, owner: company, slug: "a")

        #expect(result.status == "tombstoned")
        await #expect(throws: BrainError.self) { try await database.memory(.company, owner: company, slug: "a") }
        #expect(try await database.list(.company, owner: company).memories.map(\.slug) == ["b"])
        let tombstone = try await sql(database).row("company_brain", slug: "a")
        #expect(tombstone?["deleted"] == "1")
        #expect(tombstone?["version"] == "2")
        #expect(tombstone?["synced_version"] == "1")
        #expect(tombstone?["sync_state"] == "pending")
        let counts = try await database.counts(.company)
        #expect(counts.tombstones == 1)
        #expect(counts.live == 1)
        // Deleting twice is a 404: the memory is already gone for readers.
        await #expect(throws: BrainError.self) { try await database.delete(.company, owner: company, slug: "a") }
    }

    @Test("Saving a tombstoned slug brings it back as created, keeping its Mem0 id")
    func resurrect() async throws {
        let database = try await makeTestDatabase()
        let company = try owner(companyRUT)
        _ = try await database.save(.company, owner: company, memories: [memory("a", "x")])
        try await markPushed(database, slug: "a", memoryID: "mem-1")
        _ = try await database.delete(.company, owner: company, slug: "a")
        let result = try await database.save(.company, owner: company, memories: [memory("a", "x")])
        #expect(result.items.map(\.status) == [.created])
        let back = try await database.memory(.company, owner: company, slug: "a")
        #expect(back.memoryID == "mem-1")
        #expect(back.version == 3)
    }

    private func markPushed(_ database: any BrainStore, slug: String, memoryID: String) async throws {
        try await sql(database).execute(
            "UPDATE company_brain SET memory_id = ?, synced_version = version, sync_state = 'synced' WHERE slug = ?", [memoryID, slug])
    }

    private func rowCount(_ database: any BrainStore) async throws -> Int {
        try await sql(database).int("SELECT count(*) FROM company_brain")
    }
}
