@testable import BrainCore
import BrainSync
import BrainTestSupport
import FakeMem0
import Foundation
import Testing

@Suite(.timeLimit(.minutes(3)))
struct ReconcilerTests {
    /// Valid RUTs for generated entities.
    static func rut(_ index: Int) -> String {
        let body = String(20_000_000 + index)
        return body + String(RUT.checkDigit(forBody: body))
    }

    /// 50 entities, each with two company and two user memories, all pushed.
    static func seed(_ f: PushFixture, entities: Int = 50) async throws {
        for index in 0..<entities {
            let owner = try OwnerReference(rut(index))
            for brain in BrainKind.allCases {
                _ = try await f.database.save(brain, owner: owner, memories: [
                    MemoryInput(slug: "\(brain.rawValue)_a", category: "c", content: "\(brain.rawValue) A of \(index)"),
                    MemoryInput(slug: "\(brain.rawValue)_b", category: "c", content: "\(brain.rawValue) B of \(index)"),
                ])
            }
        }
        while try await f.database.counts(.company).pending + f.database.counts(.user).pending > 0 { await f.worker.pushPending() }
        await f.fake.clearRequestLog()
    }

    func remote(_ f: PushFixture, entity: Int, slug: String) async throws -> FakeMemory {
        try #require(await f.fake.memories(userID: Self.rut(entity)).first { $0.metadata?["slug"] == .string(slug) })
    }

    @Test("Drift matrix: every injected class is found and repaired; a second run finds nothing and writes nothing", arguments: FakeMem0API.allCases)
    func driftMatrix(api: FakeMem0API) async throws {
        try await PushFixture.with(api: api) { f in
            try await Self.seed(f)
            // missing: 5 memories deleted behind braind's back, and one superseded (replaced_by)
            for entity in 0..<5 { _ = await f.fake.deleteMemory(id: try await remote(f, entity: entity, slug: "company_a").id) }
            // The OSS server has no replaced_by: there a deleted memory stands in for it.
            let replaced = try await remote(f, entity: 5, slug: "user_a")
            if api == .platform {
                _ = await f.fake.editMemory(id: replaced.id) { $0.replacedBy = UUID().uuidString.lowercased() }
            } else {
                _ = await f.fake.deleteMemory(id: replaced.id)
            }
            // changed: 4 texts edited remotely
            for entity in 10..<14 { _ = await f.fake.editMemory(id: try await remote(f, entity: entity, slug: "user_b").id) { $0.memory = "edited" } }
            // orphan: 3 memories with our metadata and no row
            for entity in 20..<23 {
                _ = await f.fake.insertMemory(FakeMemory(
                    memory: "orphan fact", userID: Self.rut(entity),
                    metadata: ["brain": "company", "slug": "company_orphan", "category": "c", "record_id": .string(UUID().uuidString.lowercased())]))
            }
            // duplicate: 2 extra copies of existing rows
            for entity in 30..<32 {
                let original = try await remote(f, entity: entity, slug: "company_b")
                _ = await f.fake.insertMemory(FakeMemory(memory: original.memory, userID: original.userID, metadata: original.metadata))
            }
            // tombstoned: 3 rows deleted locally, not pushed yet
            for entity in 40..<43 { _ = try await f.database.delete(.user, owner: try OwnerReference(Self.rut(entity)), slug: "user_a") }
            // foreign: 2 memories without metadata.brain
            for _ in 0..<2 { _ = await f.fake.insertMemory(FakeMemory(memory: "someone else's", userID: Self.rut(45), metadata: ["source": "other app"])) }

            let first = await f.reconciler().runOnce(ReconcileOptions())
            #expect(first.status == "succeeded")
            #expect(first.entitiesScanned == 50)
            #expect(first.drift["missing"] == DriftCount(found: 6, repaired: 6))
            #expect(first.drift["changed"] == DriftCount(found: 4, repaired: 4))
            #expect(first.drift["orphan"] == DriftCount(found: 3, repaired: 3))
            #expect(first.drift["duplicate"] == DriftCount(found: 2, repaired: 2))
            #expect(first.drift["tombstoned"] == DriftCount(found: 3, repaired: 3))
            #expect(first.drift["foreign"] == DriftCount(found: 2))
            #expect(first.errors.isEmpty, "\(first.errors)")

            // Every repair is visible in the fake.
            for entity in 0..<5 { #expect(try await remote(f, entity: entity, slug: "company_a").memory == "company A of \(entity)") }
            for entity in 10..<14 { #expect(try await remote(f, entity: entity, slug: "user_b").memory == "user B of \(entity)") }
            for entity in 40..<43 { #expect(await f.fake.memories(userID: Self.rut(entity)).allSatisfy { $0.metadata?["slug"] != "user_a" }) }
            for entity in 30..<32 {
                #expect(await f.fake.memories(userID: Self.rut(entity)).filter { $0.metadata?["slug"] == "company_b" }.count == 1)
            }
            let adopted = try await f.database.memory(.company, owner: try OwnerReference(Self.rut(20)), slug: "company_orphan")
            #expect(adopted.content == "orphan fact")
            #expect(adopted.syncState == .synced)
            let restoredID = try #require(try await f.row("company_a")?["memory_id"] as String?)
            #expect(await f.fake.memory(id: restoredID) != nil, "the new id is stored")

            await f.fake.clearRequestLog()
            let second = await f.reconciler().runOnce(ReconcileOptions())
            #expect(second.driftFound == 0, "\(second.drift) \(second.errors)")
            #expect(second.writeCalls == 0)
            #expect(await f.fake.requestLog().filter { $0.route.isWrite }.isEmpty)
            #expect(second.drift["foreign"]?.found == 2, "foreign memories are left alone")
            #expect(try await f.database.reconcileRuns().map(\.runID) == [second.runID, first.runID])
        }
    }

    @Test("Dry run: the same findings, no write call, and the local database unchanged")
    func dryRun() async throws {
        try await PushFixture.with { f in
            try await Self.seed(f, entities: 5)
            _ = await f.fake.deleteMemory(id: try await remote(f, entity: 0, slug: "company_a").id)
            _ = await f.fake.editMemory(id: try await remote(f, entity: 1, slug: "user_a").id) { $0.memory = "edited" }
            _ = await f.fake.insertMemory(FakeMemory(memory: "o", userID: Self.rut(2), metadata: ["brain": "user", "slug": "user_orphan"]))
            let before = try await dump(f.database)

            let report = await f.reconciler().runOnce(ReconcileOptions(dryRun: true))

            #expect(report.drift["missing"]?.found == 1)
            #expect(report.drift["changed"]?.found == 1)
            #expect(report.drift["orphan"]?.found == 1)
            #expect(report.writeCalls == 0)
            #expect(await f.fake.requestLog().allSatisfy { !$0.route.isWrite })
            #expect(try await dump(f.database) == before)
        }
    }

    @Test("A company and a user sharing one RUT: a company-only run never touches the user brain")
    func soleProprietorIsolation() async throws {
        try await PushFixture.with { f in
            try await Self.seed(f, entities: 1)
            let user = try await remote(f, entity: 0, slug: "user_a")
            _ = await f.fake.editMemory(id: user.id) { $0.memory = "edited remotely" }
            let company = try await remote(f, entity: 0, slug: "company_a")
            _ = await f.fake.editMemory(id: company.id) { $0.memory = "edited remotely" }

            let report = await f.reconciler().runOnce(ReconcileOptions(brain: .company))

            #expect(report.drift["changed"] == DriftCount(found: 1, repaired: 1))
            #expect(await f.fake.memory(id: user.id)?.memory == "edited remotely", "the user brain was not touched")
            #expect(await f.fake.memory(id: company.id)?.memory == "company A of 0")
            #expect(report.drift["orphan"] == nil, "the user memories are not company orphans")
        }
    }

    @Test("10% of remote memories deleted behind braind's back: one run restores all and stores the new ids")
    func restoreTenPercent() async throws {
        try await PushFixture.with { f in
            try await Self.seed(f, entities: 25)
            let all = await f.fake.memories()
            let victims = Array(all.shuffled().prefix(all.count / 10))
            for victim in victims { _ = await f.fake.deleteMemory(id: victim.id) }
            let report = await f.reconciler().runOnce(ReconcileOptions())
            #expect(report.drift["missing"] == DriftCount(found: victims.count, repaired: victims.count))
            #expect(await f.fake.memories().count == all.count)
            let ids = try await TestStores.probe(f.database).column(
                "SELECT memory_id FROM company_brain UNION ALL SELECT memory_id FROM user_brain")
            #expect(Set(ids) == Set(await f.fake.memories().map(\.id)))
        }
    }

    @Test("Policies: remote text taken into the row; orphans deleted")
    func policies() async throws {
        try await PushFixture.with { f in
            try await Self.seed(f, entities: 1)
            _ = await f.fake.editMemory(id: try await remote(f, entity: 0, slug: "company_a").id) { $0.memory = "remote wins" }
            let orphan = await f.fake.insertMemory(FakeMemory(memory: "o", userID: Self.rut(0), metadata: ["brain": "company", "slug": "stray"]))
            let report = await f.reconciler(policy: ReconcilePolicy(changed: .remote, orphan: .delete)).runOnce(ReconcileOptions())
            #expect(report.drift["changed"]?.repaired == 1)
            #expect(report.drift["orphan"]?.repaired == 1)
            let row = try await f.database.memory(.company, owner: try OwnerReference(Self.rut(0)), slug: "company_a")
            #expect(row.content == "remote wins")
            #expect(row.syncState == .synced)
            #expect(await f.fake.memory(id: orphan.id) == nil)
        }
    }

    @Test("Entities only Mem0 knows: their memories of ours are adopted with a new owner; foreign ones and non-RUT entities are left alone")
    func entitiesOnlyInMem0() async throws {
        try await PushFixture.with { f in
            try await Self.seed(f, entities: 2)
            let stranger = Self.rut(900)
            _ = await f.fake.insertMemory(FakeMemory(
                memory: "Régimen: ProPyme", userID: stranger, metadata: ["brain": "company", "slug": "company_tax_regime", "category": "company_tax"]))
            _ = await f.fake.insertMemory(FakeMemory(memory: "Cargo: Contador", userID: stranger, metadata: ["brain": "user", "slug": "user_role"]))
            _ = await f.fake.insertMemory(FakeMemory(memory: "not ours", userID: stranger, metadata: ["source": "other app"]))
            _ = await f.fake.insertMemory(FakeMemory(memory: "another app's user", userID: "alice", metadata: ["brain": "user", "slug": "x"]))

            let dry = await f.reconciler().runOnce(ReconcileOptions(dryRun: true))
            #expect(dry.entitiesScanned == 3, "2 local entities and the stranger; alice is not a RUT")
            #expect(dry.drift["orphan"]?.found == 2)
            #expect((try? await f.database.memory(.company, owner: try OwnerReference(stranger), slug: "company_tax_regime")) == nil)

            let report = await f.reconciler().runOnce(ReconcileOptions())
            #expect(report.apiCalls["entities"] == 1)
            #expect(report.drift["orphan"] == DriftCount(found: 2, repaired: 2))
            #expect(report.drift["foreign"]?.found == 1)
            #expect(report.errors.isEmpty, "\(report.errors)")
            let company = try await f.database.memory(.company, owner: try OwnerReference(stranger), slug: "company_tax_regime")
            #expect(company.content == "Régimen: ProPyme")
            #expect(company.syncState == .synced)
            let user = try await f.database.memory(.user, owner: try OwnerReference(stranger), slug: "user_role")
            #expect(user.content == "Cargo: Contador")
            #expect(await f.fake.memories(userID: "alice").count == 1)

            let again = await f.reconciler().runOnce(ReconcileOptions())
            #expect(again.driftFound == 0, "\(again.drift)")
        }
    }

    @Test("When Mem0 cannot list its entities, the run still scans the local ones and says what it skipped")
    func entityListingFailure() async throws {
        try await PushFixture.with { f in
            try await Self.seed(f, entities: 2)
            await f.fake.injectFault(FakeMem0Fault(.status(500, body: "{}", headers: [:]), route: .entities, count: 1))
            let report = await f.reconciler().runOnce(ReconcileOptions())
            #expect(report.status == "succeeded")
            #expect(report.entitiesScanned == 2)
            #expect(report.errors.count == 1)
            #expect(report.errors.first?.contains("entities") == true)
        }
    }

    @Test("One run at a time: a request during a run gets that run's id")
    func oneRunAtATime() async throws {
        try await PushFixture.with { f in
            try await Self.seed(f, entities: 3)
            await f.fake.setLatency(.milliseconds(200))
            let reconciler = f.reconciler()
            let first = try await reconciler.start(ReconcileOptions())
            let second = try await reconciler.start(ReconcileOptions(dryRun: true))
            #expect(second.runID == first.runID)
            #expect(await reconciler.current()?.runID == first.runID)
        }
    }

    private func dump(_ database: any BrainStore) async throws -> [String] {
        try await TestStores.probe(database).column("""
            SELECT id || memory_id || content || version || synced_version || sync_state || deleted FROM company_brain
            UNION ALL SELECT id || memory_id || content || version || synced_version || sync_state || deleted FROM user_brain
            UNION ALL SELECT 'events:' || count(*) FROM events
            """).map { $0 ?? "" }.sorted()
    }
}
