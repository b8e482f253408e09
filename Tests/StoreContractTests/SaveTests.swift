@testable import BrainCore
import BrainTestSupport
import Testing

struct SaveTests {
    @Test("A new slug is created, an identical save is unchanged, a changed one is updated")
    func createdUnchangedUpdated() async throws {
        // Given an empty database
        let database = try await makeTestDatabase()
        let company = try owner(companyRUT)

        // When the same memory is saved twice, then changed
        let first = try await database.save(.company, owner: company, memories: [memory("company_tax_regime", "ProPyme General", category: "company_tax")])
        let second = try await database.save(.company, owner: company, memories: [memory("company_tax_regime", "ProPyme General", category: "company_tax")])
        let third = try await database.save(.company, owner: company, memories: [memory("company_tax_regime", "ProPyme Transparente", category: "company_tax")])

        // Then
        #expect(first.items.map(\.status) == [.created])
        #expect(first == SaveBatchResult(items: first.items, brain: .company))
        #expect((first.success, first.savedCount, first.failedCount, first.errors) == (true, 1, 0, []))
        #expect(second.items.map(\.status) == [.unchanged])
        #expect(third.items.map(\.status) == [.updated])
        let stored = try await database.memory(.company, owner: company, slug: "company_tax_regime")
        #expect(stored.content == "ProPyme Transparente")
        #expect(stored.version == 2)
        #expect(stored.syncState == .pending)
        #expect(stored.ownerRUT == "123456785")
    }

    @Test("Unchanged writes nothing: no version bump, no event, same updated_at")
    func unchangedIsANoOp() async throws {
        let database = try await makeTestDatabase()
        let company = try owner(companyRUT)
        let item = memory("a", "x", category: "c", metadata: ["k": .int(1)])
        _ = try await database.save(.company, owner: company, memories: [item])
        let before = try await database.memory(.company, owner: company, slug: "a")
        let eventsBefore = try await eventCount(database)
        _ = try await database.save(.company, owner: company, memories: [item])
        let after = try await database.memory(.company, owner: company, slug: "a")
        #expect(after == before)
        #expect(try await eventCount(database) == eventsBefore)
    }

    @Test("Changing only the category or only the metadata is an update", arguments: [
        memory("a", "x", category: "other", metadata: ["k": .int(1)]),
        memory("a", "x", category: "c", metadata: ["k": .int(2)]),
        memory("a", "x", category: "c"),
    ])
    func categoryOrMetadataChange(changed: MemoryInput) async throws {
        let database = try await makeTestDatabase()
        let company = try owner(companyRUT)
        _ = try await database.save(.company, owner: company, memories: [memory("a", "x", category: "c", metadata: ["k": .int(1)])])
        let result = try await database.save(.company, owner: company, memories: [changed])
        #expect(result.items.map(\.status) == [.updated])
    }

    @Test("An invalid item fails alone; the valid items of the batch commit")
    func partialFailure() async throws {
        let database = try await makeTestDatabase()
        let user = try owner(userRUT)
        let result = try await database.save(.user, owner: user, memories: [
            memory("user_full_name", "Nombre completo: Juan Pérez"),
            memory("Bad Slug", "x"),
            memory("user_email", ""),
            memory("user_role", "Contador"),
        ])
        #expect(result.success == false)
        #expect(result.savedCount == 2)
        #expect(result.failedCount == 2)
        #expect(result.items.map(\.status) == [.created, .failed, .failed, .created])
        #expect(result.errors.count == 2)
        #expect(result.errors[0].hasPrefix("Error with user memory Bad Slug: memories[1].slug"))
        #expect(result.errors[1] == "Error with user memory user_email: memories[2].content: must be a non-empty string")
        let page = try await database.list(.user, owner: user)
        #expect(page.memories.map(\.slug) == ["user_full_name", "user_role"])
    }

    @Test("Saving by an unknown RUT creates the owner once; an unknown UUID is a 404")
    func ownerAutoCreation() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: try owner("12345678-5"), memories: [memory("a", "x")])
        _ = try await database.save(.company, owner: try owner("12.345.678-5"), memories: [memory("b", "y")])
        let owners = try await sql(database).rows("SELECT id, rut FROM companies")
        #expect(owners.count == 1)
        #expect(owners.first?["rut"] == "123456785")
        let ownerID = try #require(owners.first?["id"])
        let byID = try await database.list(.company, owner: try owner(ownerID))
        #expect(byID.memories.map(\.slug) == ["a", "b"])
        let unknown = try owner("2b9f2c1e-3a4b-4c5d-8e6f-7a8b9c0d1e2f")
        await #expect(throws: BrainError.ownerNotFound(brain: .company, owner: unknown.description)) {
            try await database.save(.company, owner: unknown, memories: [memory("a", "x")])
        }
        // The user brain has its own owners: the same RUT is not a profile yet.
        await #expect(throws: BrainError.self) { try await database.list(.user, owner: try owner(companyRUT)) }
    }

    @Test("A company and a user sharing one RUT keep separate brains")
    func soleProprietor() async throws {
        let database = try await makeTestDatabase()
        let rut = try owner(companyRUT)
        _ = try await database.save(.company, owner: rut, memories: [memory("name", "Empresa")])
        _ = try await database.save(.user, owner: rut, memories: [memory("name", "Persona")])
        #expect(try await database.memory(.company, owner: rut, slug: "name").content == "Empresa")
        #expect(try await database.memory(.user, owner: rut, slug: "name").content == "Persona")
    }

    @Test("An empty or oversized batch is refused as a whole")
    func batchBounds() async throws {
        let database = try await makeTestDatabase()
        await #expect(throws: BrainError.invalid(field: "memories", reason: "must hold at least one memory")) {
            try await database.save(.user, owner: try owner(userRUT), memories: [])
        }
        let tooMany = (0...MemoryLimits.batchMaxItems).map { memory("m\($0)", "x") }
        await #expect(throws: BrainError.self) { try await database.save(.user, owner: try owner(userRUT), memories: tooMany) }
    }

    @Test("Every change appends an event; events cannot be rewritten")
    func events() async throws {
        let database = try await makeTestDatabase()
        let company = try owner(companyRUT)
        _ = try await database.save(.company, owner: company, memories: [memory("a", "x"), memory("b", "y")])
        _ = try await database.save(.company, owner: company, memories: [memory("a", "x2"), memory("b", "y")])
        _ = try await database.delete(.company, owner: company, slug: "b")
        let kinds = try await sql(database).column("SELECT kind || ':' || slug || ':' || version FROM events ORDER BY id")
        #expect(kinds == ["created:a:1", "created:b:1", "updated:a:2", "purged:b:1"])
        await #expect(throws: (any Error).self, "the journal is append-only") {
            try await sql(database).execute("UPDATE events SET kind = 'x'")
        }
    }

    @Test("List pages by slug with a cursor and filters by category")
    func listPaging() async throws {
        let database = try await makeTestDatabase()
        let company = try owner(companyRUT)
        let items = (0..<25).map { memory(String(format: "slug_%02d", $0), "c\($0)", category: $0 % 2 == 0 ? "even" : "odd") }
        _ = try await database.save(.company, owner: company, memories: items)
        var slugs: [String] = []
        var cursor: String?
        repeat {
            let page = try await database.list(.company, owner: company, limit: 10, cursor: cursor)
            slugs += page.memories.map(\.slug)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(slugs == items.map { $0.slug! })
        let even = try await database.list(.company, owner: company, category: "even", limit: 100)
        #expect(even.memories.count == 13)
        #expect(even.nextCursor == nil)
        await #expect(throws: BrainError.self) { try await database.list(.company, owner: company, limit: 0) }
    }

    private func eventCount(_ database: any BrainStore) async throws -> Int {
        try await sql(database).int("SELECT count(*) FROM events")
    }
}
