import BrainCore
import BrainStorePostgres
import Foundation
import Testing

// Needs a real server: run through scripts/with-postgres, which sets BRAIND_TEST_POSTGRES_URL.
@Suite("PostgreSQL saves, deletes and search", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresSaveTests {
    @Test func createdUpdatedUnchanged() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            let first = try await store.save(.company, owner: acme, memories: [.make("tax", "ProPyme", category: "company_tax")])
            #expect(first.items.map(\.status) == [.created])
            #expect(first.items.first?.syncState == .pending)
            let same = try await store.save(.company, owner: acme, memories: [.make("tax", "ProPyme", category: "company_tax")])
            #expect(same.items.map(\.status) == [.unchanged])
            let changed = try await store.save(.company, owner: acme, memories: [.make("tax", "ProPyme General", category: "company_tax")])
            #expect(changed.items.map(\.status) == [.updated])
            let memory = try await store.memory(.company, owner: acme, slug: "tax")
            #expect(memory.version == 2)
            #expect(memory.content == "ProPyme General")
            #expect(memory.ownerRUT == "761234565")
            #expect(try await store.eventCount() == 2)
            // A bad item fails alone.
            let mixed = try await store.save(.company, owner: acme, memories: [.make("ok", "fine"), .make("Bad Slug!", "x")])
            #expect(mixed.items.map(\.status) == [.created, .failed])
            #expect(mixed.failedCount == 1)
        }
    }

    @Test func sameSlugTwiceInOneBatchIsWrittenInOrder() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            let result = try await store.save(.company, owner: acme, memories: [.make("b", "one"), .make("a", "x"), .make("b", "two")])
            #expect(result.items.map(\.status) == [.created, .created, .updated])
            let memory = try await store.memory(.company, owner: acme, slug: "b")
            #expect(memory.content == "two")
            #expect(memory.version == 2)
        }
    }

    /// Two batches over the same slugs in opposite orders, many times at once: no deadlock and
    /// no raw database error, and every save lands.
    @Test func concurrentOppositeOrderBatchesNeitherDeadlockNorFail() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            let slugs = (0..<200).map { String(format: "slug_%03d", $0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        for round in 0..<5 {
                            let ordered = worker.isMultiple(of: 2) ? slugs : slugs.reversed()
                            let result = try await store.save(
                                .company, owner: acme, memories: ordered.map { .make($0, "w\(worker) r\(round)") })
                            #expect(result.success)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.counts(.company).live == 200)
        }
    }

    @Test func deleteTombstonesWhatMem0MayHoldAndPurgesTheRest() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: [.make("never", "pushed"), .make("pushed", "yes")])
            #expect(try await store.delete(.company, owner: acme, slug: "never").status == "purged")
            let tasks = try await store.claimPushTasks(limit: 10)
            try await store.completePush(try #require(tasks.first { $0.slug == "pushed" }), outcome: .stored(memoryID: "m-1"))
            #expect(try await store.delete(.company, owner: acme, slug: "pushed").status == "tombstoned")
            await #expect(throws: BrainError.self) { try await store.memory(.company, owner: acme, slug: "pushed") }
            #expect(try await store.counts(.company).tombstones == 1)
            let delete = try #require(try await store.claimPushTasks(limit: 10).first)
            #expect(delete.operation == .delete)
            try await store.completePush(delete, outcome: .deleted)
            #expect(try await store.counts(.company).tombstones == 0)
        }
    }

    @Test func listPagesBySlug() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: ["c", "a", "b", "d"].map { .make($0, $0) })
            let first = try await store.list(.company, owner: acme, limit: 3)
            #expect(first.memories.map(\.slug) == ["a", "b", "c"])
            #expect(first.nextCursor == "c")
            let second = try await store.list(.company, owner: acme, limit: 3, cursor: first.nextCursor)
            #expect(second.memories.map(\.slug) == ["d"])
            #expect(second.nextCursor == nil)
            await #expect(throws: BrainError.ownerNotFound(brain: .company, owner: "99999999k")) {
                try await store.list(.company, owner: try owner("99999999-k"))
            }
        }
    }

    @Test func searchIgnoresCaseAndAccentsAndStaysWithTheOwner() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            let other = try owner("771234564")
            _ = try await store.save(.company, owner: acme, memories: [
                .make("company_tax_regime", "Régimen tributario: ProPyme General", category: "company_tax"),
                .make("company_activity", "Giro: venta de artículos de ferretería"),
                .make("gone", "Régimen antiguo ProPyme"),
            ])
            _ = try await store.save(.company, owner: other, memories: [.make("company_tax_regime", "Régimen tributario: ProPyme General")])
            _ = try await store.delete(.company, owner: acme, slug: "gone")
            let hits = try await store.searchLocal(.company, owner: acme, query: "regimen PROPYME")
            #expect(hits.map(\.memory.slug) == ["company_tax_regime"])
            #expect(hits.first?.memory.ownerRUT == "761234565")
            #expect(try await store.searchLocal(.company, owner: acme, query: "ferreteria").map(\.memory.slug) == ["company_activity"])
            #expect(try await store.searchLocal(.company, owner: acme, query: "nothing here").isEmpty)
        }
    }
}
