import BrainCore
import BrainStorePostgres
import Foundation
import Testing

// Needs a real server: run through scripts/with-postgres, which sets BRAIND_TEST_POSTGRES_URL.
@Suite("PostgreSQL owners, loads, tokens, reconcile and export", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresOwnerAndTokenTests {
    @Test func importThenLoadIsIdempotentAndRemovesOnlyLoaderRows() async throws {
        try await TestPostgres.withStore { store, _ in
            let csv = "rut,business_name,tax_regime\n76.123.456-0,Acme SpA,ProPyme General\n"
            let imported = try await store.importCompanies(Data(csv.utf8), format: nil, verifyCheckDigit: false, stop: nil)
            #expect(imported.created == 1)
            let again = try await store.importCompanies(Data(csv.utf8), format: nil, verifyCheckDigit: false, stop: nil)
            #expect(again.unchanged == 1)
            let acme = try owner("761234560")
            let first = try await store.load(.company, owner: acme)
            #expect(first.success)
            #expect(first.items.allSatisfy { $0.status == .created })
            #expect(!first.items.isEmpty)
            let second = try await store.load(.company, owner: acme)
            #expect(second.items.allSatisfy { $0.status == .unchanged })
            // The regime is cleared: the loader's memory of it goes; an agent's memory stays.
            _ = try await store.save(.company, owner: acme, memories: [.make("agent_note", "keep me")])
            let cleared = "rut,business_name,tax_regime\n76.123.456-0,Acme SpA,\n"
            #expect(try await store.importCompanies(Data(cleared.utf8), format: nil, verifyCheckDigit: false, stop: nil).updated == 1)
            let third = try await store.load(.company, owner: acme)
            #expect(third.removedCount == 1)
            #expect(try await store.memory(.company, owner: acme, slug: "agent_note").content == "keep me")
            let all = try await store.loadAllCompanies(progress: nil, stop: nil)
            #expect(all.failedCompanies == 0)
        }
    }

    @Test func sessionsImportAndTheActiveSessionRule() async throws {
        try await TestPostgres.withStore { store, _ in
            _ = try await store.importCompanies(Data("rut,business_name\n761234560,Acme\n".utf8), format: nil, verifyCheckDigit: false, stop: nil)
            _ = try await store.importUsers(Data("rut,full_name\n123456785,Ana\n".utf8), format: nil, verifyCheckDigit: false, stop: nil)
            let sessions = "user_rut,company_rut,is_active\n123456785,761234560,true\n123456785,999999999,true\n"
            let result = try await store.importSessions(Data(sessions.utf8), format: nil, verifyCheckDigit: false, stop: nil)
            #expect(result.created == 1)
            #expect(result.failed == 1)
            #expect(try await store.hasActiveSession(userRUT: "123456785", companyRUT: "761234560"))
        }
    }

    @Test func tokensAreStoredByHashAndRevoked() async throws {
        try await TestPostgres.withStore { store, _ in
            let token = try await store.createToken(hash: "abc", brain: .user, rut: "123456785", readOnly: true)
            #expect(try await store.token(hash: "abc") == token)
            #expect(try await store.tokens().map(\.id) == [token.id])
            #expect(try await store.revokeToken(id: token.id))
            #expect(try await store.token(hash: "abc") == nil)
            #expect(try await !store.revokeToken(id: token.id))
        }
    }

    @Test func reconcileRelinksAdoptsAndKnowsWhatWasDeletedHere() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: [.make("tax", "ProPyme"), .make("gone", "x")])
            for task in try await store.claimPushTasks(limit: 10) {
                try await store.completePush(task, outcome: .stored(memoryID: "m-\(task.slug)"))
            }
            let rows = try await store.reconcileRows(.company, rut: "761234565")
            #expect(rows.map(\.task.slug) == ["gone", "tax"])
            #expect(rows.allSatisfy { $0.isSynced })
            let tax = try #require(rows.last)
            #expect(try await store.setRemoteID(tax, memoryID: "m-new", reason: "relink"))
            #expect(try await !store.setRemoteID(tax, memoryID: "m-other", reason: "stale read"))
            #expect(try await store.reconcileRow(memoryID: "m-new")?.task.recordID == tax.task.recordID)
            let gone = try #require(rows.first)
            _ = try await store.delete(.company, owner: acme, slug: "gone")
            let tombstone = try #require(try await store.reconcileRow(recordID: gone.task.recordID, brain: .company))
            try await store.purgeTombstone(tombstone)
            #expect(try await store.wasDeletedHere(recordID: gone.task.recordID, brain: .company))
            let orphan = AdoptedMemory(memoryID: "m-orphan", recordID: nil, slug: "found", category: nil, content: "from Mem0", metadata: [:])
            guard case .adopted = try await store.adopt(orphan, brain: .company, rut: "761234565") else {
                Issue.record("the orphan was not adopted")
                return
            }
            #expect(try await store.adopt(orphan, brain: .company, rut: "761234565") == .slugTaken)
            let back = AdoptedMemory(memoryID: "m-back", recordID: gone.task.recordID, slug: "gone", category: nil, content: "x", metadata: [:])
            #expect(try await store.adopt(back, brain: .company, rut: "761234565") == .deletedHere)
            let repair = try #require(try await store.reconcileRow(memoryID: "m-new"))
            let task = try #require(try await store.claimForRepair(repair, forgetMemoryID: true, reason: "missing in Mem0"))
            #expect(task.memoryID == nil)
            #expect(task.operation == .add)
        }
    }

    @Test func exportReadsEveryLiveMemoryInOrder() async throws {
        try await TestPostgres.withStore { store, _ in
            _ = try await store.save(.company, owner: try owner("761234565"), memories: ["b", "a", "c"].map { .make($0, $0) })
            _ = try await store.save(.user, owner: try owner("123456785"), memories: [.make("z", "z", category: "x")])
            let exporter = try store.makeExporter(brain: nil, owner: nil, rowsPerPage: 2)
            #expect(try await exporter.count() == 4)
            var lines: [MemoryExportLine] = []
            while true {
                let page = try await exporter.nextPage()
                if page.isEmpty { break }
                lines += page
            }
            #expect(lines.map(\.slug) == ["a", "b", "c", "z"])
            #expect(lines.last?.brain == .user)
            #expect(lines.allSatisfy { $0.metadataJSON == "{}" })
            #expect(store.storeDescription.kind == "postgresql")
            #expect(!store.storeDescription.location.contains("password"))
        }
    }
}
