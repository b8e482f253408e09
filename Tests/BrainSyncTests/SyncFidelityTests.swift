@testable import BrainCore
import BrainSync
import FakeMem0
import Foundation
import Testing

/// The races and Mem0 behaviours that once left duplicates in Mem0 or undid a delete. Each test
/// failed before its fix, against fake-mem0 with the knob that shows the behaviour.
@Suite(.timeLimit(.minutes(3)))
struct SyncFidelityTests {
    static let owner = PushFixture.rut
    static let entity = PushFixture.entity

    /// Pushes until nothing is due or `rounds` passes ran, waiting out the fixture's short backoff.
    static func pushUntilSettled(_ f: PushFixture, rounds: Int = 20) async throws {
        for _ in 0..<rounds {
            await f.worker.pushPending()
            let counts = try await f.database.counts(.company)
            if counts.pending + counts.inFlight == 0 { return }
            try await Task.sleep(for: .milliseconds(60))
        }
    }

    static func remote(_ f: PushFixture, slug: String) async -> [FakeMemory] {
        await f.fake.memories(userID: entity).filter { $0.metadata?["slug"] == .string(slug) }
    }

    @Test("A re-add after a 404 whose answer is lost, then an edit: one memory, not two", arguments: FakeMem0API.allCases)
    func readdAfter404IsExactlyOnce(api: FakeMem0API) async throws {
        try await PushFixture.with(api: api) { f in
            try await f.save([("fact", "v1")])
            try await Self.pushUntilSettled(f)
            let original = try #require(await Self.remote(f, slug: "fact").first)
            _ = await f.fake.deleteMemory(id: original.id)

            // The re-add reaches Mem0 and stores, but the answer is lost.
            await f.fake.injectFault(FakeMem0Fault(.storeThenReset, route: .add, count: 1))
            try await f.save([("fact", "v2")])
            await f.worker.pushPending()  // PUT answers 404
            await f.worker.pushPending()  // the re-add: stored, connection reset
            #expect(await Self.remote(f, slug: "fact").count == 1, "the lost add did store")
            try await f.save([("fact", "v3")])
            try await Self.pushUntilSettled(f)

            let remote = await Self.remote(f, slug: "fact")
            #expect(remote.count == 1, "\(remote.map(\.memory))")
            #expect(remote.first?.memory == "v3")
            let row = try #require(try await f.row("fact"))
            #expect(row["memory_id"] == remote.first?.id)
            #expect(row["sync_state"] == "synced")
            #expect(try await f.events(.repaired) >= 1, "the 404 is journaled as a repair")
        }
    }

    @Test("An add whose event poll answers 404 keeps its mark: the next attempt adopts what Mem0 stored")
    func eventPoll404KeepsTheMark() async throws {
        try await PushFixture.with { f in
            await f.fake.setAddMode(.async, pendingPolls: 0)
            await f.fake.injectFault(FakeMem0Fault(.status(404), route: .event, count: 1))
            try await f.save([("fact", "stored in spite of the lost event")])
            await f.worker.pushPending()
            let row = try #require(try await f.row("fact"))
            #expect(row["sync_state"] != "failed", "a lost event is not Mem0 refusing the row")
            #expect(row["push_started_at"] != nil as String?, "the add's outcome is unknown")
            #expect(await Self.remote(f, slug: "fact").count == 1)

            _ = try await f.database.retryFailed()
            try await Self.pushUntilSettled(f)
            let remote = await Self.remote(f, slug: "fact")
            #expect(remote.count == 1)
            #expect(try await f.row("fact")?["memory_id"] == remote.first?.id)
            #expect(await f.fake.requestCount(.add) == 1, "the retry looked the memory up instead of adding it again")
        }
    }

    @Test("A refused add (422) clears the mark: Mem0 said it stored nothing")
    func refusedAddClearsTheMark() async throws {
        try await PushFixture.with { f in
            await f.fake.injectFault(FakeMem0Fault(.status(422), route: .add, count: 1))
            try await f.save([("fact", "x")])
            await f.worker.pushPending()
            let row = try #require(try await f.row("fact"))
            #expect(row["sync_state"] == "failed")
            #expect(row["push_started_at"] == nil as String?)
        }
    }

    @Test("The record_id lookup before a re-add never takes a memory of the other brain of the same RUT", arguments: FakeMem0API.allCases)
    func lookupStaysInItsBrain(api: FakeMem0API) async throws {
        try await PushFixture.with(api: api) { f in
            try await f.save([("fact", "company fact")])
            let claimed = try #require(try await f.database.claimPushTasks(limit: 1).first)
            try await f.database.completePush(claimed, outcome: .retry(error: "timed out", delay: .zero, outcomeUnknown: true))
            // A user memory of the same entity that carries the same record_id.
            let userMemory = await f.fake.insertMemory(FakeMemory(
                memory: "user fact", userID: Self.entity,
                metadata: ["brain": "user", "slug": "fact", "record_id": .string(claimed.recordID)]))
            try await Self.pushUntilSettled(f)
            #expect(await f.fake.memory(id: userMemory.id)?.memory == "user fact", "the user memory is untouched")
            let company = await f.fake.memories(userID: Self.entity).filter { $0.metadata?["brain"] == "company" }
            #expect(company.map(\.memory) == ["company fact"])
            #expect(try await f.row("fact")?["memory_id"] == company.first?.id)
        }
    }

    @Test("Metadata a save removes is removed in Mem0 too, where updates merge metadata", arguments: FakeMem0MetadataUpdate.allCases)
    func metadataRemovalsReachMem0(mode: FakeMem0MetadataUpdate) async throws {
        try await PushFixture.with { f in
            await f.fake.updateSettings { $0.updateMetadata = mode }
            let owner = try OwnerReference(Self.owner)
            _ = try await f.database.save(.company, owner: owner, memories: [
                MemoryInput(slug: "fact", category: "cat_old", content: "x", metadata: .object(["k": .int(1), "keep": .string("y")])),
            ])
            try await Self.pushUntilSettled(f)
            _ = try await f.database.save(.company, owner: owner, memories: [
                MemoryInput(slug: "fact", content: "x", metadata: .object(["keep": .string("y")])),
            ])
            try await Self.pushUntilSettled(f)
            let memory = try #require(await Self.remote(f, slug: "fact").first)
            let live = (memory.metadata ?? [:]).filter { $0.value != .null }
            #expect(Set(live.keys) == ["keep", "brain", "slug", "record_id"], "\(memory.metadata ?? [:])")

            // A key added behind braind's back is drift, and the repair removes it.
            _ = await f.fake.editMemory(id: memory.id) { $0.metadata?["extra"] = "added in Mem0" }
            let report = await f.reconciler().runOnce(ReconcileOptions())
            #expect(report.drift["changed"] == DriftCount(found: 1, repaired: 1))
            let repaired = try #require(await f.fake.memory(id: memory.id))
            #expect(Set((repaired.metadata ?? [:]).filter { $0.value != .null }.keys) == ["keep", "brain", "slug", "record_id"])
            #expect(await f.reconciler().runOnce(ReconcileOptions()).driftFound == 0)
        }
    }

    @Test("A reconcile deciding on a listing taken before a delete, a create and an edit undoes none of them", arguments: FakeMem0API.allCases)
    func staleListingUndoesNothing(api: FakeMem0API) async throws {
        try await PushFixture.with(api: api) { f in
            try await f.save([("deleted_meanwhile", "a"), ("edited_meanwhile", "b"), ("steady", "c")])
            try await Self.pushUntilSettled(f)
            // Some real drift, so the entity is compared memory by memory.
            _ = await f.fake.deleteMemory(id: try #require(await Self.remote(f, slug: "steady").first).id)
            // The listing is taken when it arrives and answered three seconds later (the changes below
            // must land in between, on a loaded machine too).
            await f.fake.injectFault(FakeMem0Fault(.delay(.seconds(3)), route: .list, count: 1))
            let reconciler = f.reconciler(policy: ReconcilePolicy(changed: .remote))
            async let run = reconciler.runOnce(ReconcileOptions(entity: Self.entity))
            try await Task.sleep(for: .milliseconds(300))
            _ = try await f.database.delete(.company, owner: try OwnerReference(Self.owner), slug: "deleted_meanwhile")
            try await f.save([("created_meanwhile", "d"), ("edited_meanwhile", "b2")])
            try await Self.pushUntilSettled(f)
            let report = await run
            try await Self.pushUntilSettled(f)

            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(try await f.row("deleted_meanwhile") == nil, "the delete is not undone")
            #expect(await Self.remote(f, slug: "deleted_meanwhile").isEmpty)
            #expect(await Self.remote(f, slug: "created_meanwhile").count == 1, "no duplicate of the new row")
            #expect(try await f.row("edited_meanwhile")?["content"] == "b2", "the local edit is not reverted")
            #expect(await Self.remote(f, slug: "edited_meanwhile").map(\.memory) == ["b2"])
            #expect(report.drift["missing"] == DriftCount(found: 1, repaired: 1), "\(report.drift)")
            #expect(await Self.remote(f, slug: "steady").count == 1)
            #expect(report.deferred >= 1, "\(report)")
            #expect(await f.reconciler().runOnce(ReconcileOptions()).driftFound == 0)
        }
    }

    @Test("Deletes landing between two listing pages: nothing re-added, nothing adopted back", arguments: FakeMem0API.allCases)
    func pageShiftDuringListing(api: FakeMem0API) async throws {
        try await PushFixture.with(api: api) { f in
            let owner = try OwnerReference(Self.owner)
            for chunk in stride(from: 0, to: 240, by: 60) {
                _ = try await f.database.save(.company, owner: owner, memories: (chunk..<chunk + 60).map {
                    MemoryInput(slug: String(format: "fact_%03d", $0), category: "c", content: "fact \($0)")
                })
                try await Self.pushUntilSettled(f)  // in order, so the newest memories are the last slugs
            }
            #expect(await f.fake.memories(userID: Self.entity).count == 240)
            await f.fake.injectFault(FakeMem0Fault(.delay(.seconds(3)), route: .list, count: 1))
            async let run = f.reconciler().runOnce(ReconcileOptions(entity: Self.entity))
            try await Task.sleep(for: .milliseconds(300))
            for index in 220..<240 { _ = try await f.database.delete(.company, owner: owner, slug: String(format: "fact_%03d", index)) }
            try await Self.pushUntilSettled(f)
            let first = await run
            #expect(first.drift["missing"] == nil, "\(first.drift)")
            #expect(first.drift["orphan"] == nil, "\(first.drift)")
            #expect(first.errors.isEmpty, "\(first.errors)")

            let second = await f.reconciler().runOnce(ReconcileOptions(entity: Self.entity))
            #expect(second.driftFound == 0, "\(second.drift)")
            let remote = await f.fake.memories(userID: Self.entity)
            #expect(remote.count == 220)
            #expect(Set(remote.compactMap { $0.metadata?["slug"]?.stringValue }).count == 220)
            #expect(try await f.database.counts(.company).live == 220)
        }
    }

    @Test("Two orphans sharing a slug: the dry run predicts what the real run does", arguments: FakeMem0API.allCases)
    func dryRunPredictsSharedSlugOrphans(api: FakeMem0API) async throws {
        try await PushFixture.with(api: api) { f in
            try await f.save([("kept", "k")])
            try await Self.pushUntilSettled(f)
            for text in ["one", "two"] {
                _ = await f.fake.insertMemory(FakeMemory(memory: text, userID: Self.entity, metadata: ["brain": "company", "slug": "stray"]))
            }
            let dry = await f.reconciler().runOnce(ReconcileOptions(dryRun: true))
            let real = await f.reconciler().runOnce(ReconcileOptions())
            #expect(dry.drift["orphan"]?.found == 1)
            #expect(dry.drift["duplicate"]?.found == 1)
            #expect(dry.drift.mapValues(\.found) == real.drift.mapValues(\.found))
        }
    }

    @Test("A memory with our keys but no valid slug is left alone and counted as foreign: zero drift is reachable")
    func invalidSlugOrphanIsForeign() async throws {
        try await PushFixture.with { f in
            try await f.save([("kept", "k")])
            try await Self.pushUntilSettled(f)
            let odd = await f.fake.insertMemory(FakeMemory(memory: "odd", userID: Self.entity, metadata: ["brain": "company", "slug": "Not A Slug!"]))
            for _ in 0..<2 {
                let report = await f.reconciler().runOnce(ReconcileOptions())
                #expect(report.driftFound == 0, "\(report.drift)")
                #expect(report.errors.isEmpty, "\(report.errors)")
                #expect(report.drift["foreign"]?.found == 1)
            }
            #expect(await f.fake.memory(id: odd.id) != nil)
        }
    }

    @Test("A repair by reconcile clears the last error that status shows")
    func repairClearsLastError() async throws {
        try await PushFixture.with { f in
            try await f.save([("fact", "x"), ("other", "o")])
            try await Self.pushUntilSettled(f)
            await f.fake.injectFault(FakeMem0Fault(.status(503), route: .update, count: 1))
            try await f.save([("fact", "y")])
            await f.worker.pushPending()
            #expect(await f.worker.syncStatus().lastError != nil)
            // The worker does not run again; the reconciler repairs another row.
            _ = await f.fake.deleteMemory(id: try #require(await Self.remote(f, slug: "other").first).id)
            let report = await f.reconciler().runOnce(ReconcileOptions())
            #expect(report.drift["missing"] == DriftCount(found: 1, repaired: 1))
            #expect(await f.worker.syncStatus().lastError == nil)
        }
    }

    @Test("A run that could not list Mem0 is failed, or partial when some entities were listed")
    func listingFailuresAreReported() async throws {
        try await PushFixture.with { f in
            try await ReconcilerTests.seed(f, entities: 4)
            await f.fake.injectFault(FakeMem0Fault(.status(500, body: "{}", headers: [:]), route: .list))
            let failed = await f.reconciler().runOnce(ReconcileOptions())
            #expect(failed.status == "failed")
            #expect(failed.listingFailures == 4)
            await f.fake.clearFaults()
            await f.fake.injectFault(FakeMem0Fault(.status(500, body: "{}", headers: [:]), route: .list, count: 1))
            let partial = await f.reconciler().runOnce(ReconcileOptions())
            #expect(partial.status == "partial")
            #expect(partial.listingFailures == 1)
        }
    }

    @Test("The OSS server lists at most 1,000 memories: a bigger entity is verified one by one, never re-added")
    func cappedListing() async throws {
        try await PushFixture.with(concurrency: 16, api: .oss) { f in
            let owner = try OwnerReference(Self.owner)
            for chunk in stride(from: 0, to: 1_010, by: 202) {
                _ = try await f.database.save(.company, owner: owner, memories: (chunk..<chunk + 202).map {
                    MemoryInput(slug: String(format: "fact_%04d", $0), category: "c", content: "fact \($0)")
                })
            }
            try await Self.pushUntilSettled(f, rounds: 60)
            #expect(await f.fake.memories(userID: Self.entity).count == 1_010)
            let first = await f.reconciler().runOnce(ReconcileOptions())
            #expect(first.cappedListings == 1)
            #expect(first.driftFound == 0, "\(first.drift)")
            #expect(first.deferred == 10, "the 10 memories the listing could not show were read one by one")
            #expect(first.status == "succeeded")

            // One the listing cannot show is deleted behind braind's back: found, and added once.
            let oldest = try #require(await f.fake.memories(userID: Self.entity).last)
            _ = await f.fake.deleteMemory(id: oldest.id)
            let second = await f.reconciler().runOnce(ReconcileOptions())
            #expect(second.drift["missing"] == DriftCount(found: 1, repaired: 1), "\(second.drift)")
            #expect(await f.fake.memories(userID: Self.entity).count == 1_010)
        }
    }

    @Test("Reconcile runs beside 16 concurrent savers and deleters: nothing undone, no duplicate in Mem0")
    func reconcileBesideSaversAndDeleters() async throws {
        try await PushFixture.with(concurrency: 8) { f in
            await f.fake.setLatency(.milliseconds(3))
            // Every listing is a picture 150 ms old by the time it arrives.
            await f.fake.injectFault(FakeMem0Fault(.delay(.milliseconds(150)), route: .list))
            let owners = (0..<4).map { ReconcilerTests.rut($0) }
            let ledger = LastWrite()
            let reconciler = f.reconciler()
            let runs = try await f.running {
                let loop = Task {
                    var runs: [ReconcileReport] = []
                    while !Task.isCancelled { runs.append(await reconciler.runOnce(ReconcileOptions())) }
                    return runs
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for saver in 0..<16 {
                        group.addTask {
                            var random = SplitMix64(seed: 0x5EED_0000 + UInt64(saver))
                            for step in 0..<50 {
                                let owner = owners[Int.random(in: 0..<owners.count, using: &random)]
                                let slug = "s\(saver)_\(Int.random(in: 0..<4, using: &random))"
                                if Int.random(in: 0..<10, using: &random) < 3 {
                                    _ = try? await f.database.delete(.company, owner: try OwnerReference(owner), slug: slug)
                                    await ledger.record(owner: owner, slug: slug, content: nil)
                                } else {
                                    let content = "saver \(saver) step \(step)"
                                    _ = try await f.database.save(
                                        .company, owner: try OwnerReference(owner),
                                        memories: [MemoryInput(slug: slug, category: "c", content: content)])
                                    await ledger.record(owner: owner, slug: slug, content: content)
                                }
                                try await Task.sleep(for: .milliseconds(Int.random(in: 1...20, using: &random)))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                loop.cancel()
                let runs = await loop.value
                #expect(try await f.eventually(within: .seconds(30)) {
                    let counts = try await f.database.counts(.company)
                    return counts.pending + counts.inFlight + counts.tombstones == 0
                })
                return runs
            }
            var undone: [String] = []
            var rows = 0
            for owner in owners {
                let normalized = try RUT(owner).normalized
                let live = (try? await f.database.list(.company, owner: try OwnerReference(owner), limit: 1000).memories) ?? []
                rows += live.count
                let bySlug = Dictionary(uniqueKeysWithValues: live.map { ($0.slug, $0.content) })
                for (slug, content) in await ledger.last(owner: owner) where bySlug[slug] != content {
                    undone.append("\(normalized) \(slug): expected \(content ?? "deleted"), holds \(bySlug[slug] ?? "nothing")")
                }
                let remote = await f.fake.memories(userID: normalized)
                let remoteBySlug = Dictionary(grouping: remote) { $0.metadata?["slug"]?.stringValue ?? "" }
                for (slug, memories) in remoteBySlug where memories.count != 1 || memories.first?.memory != bySlug[slug] {
                    undone.append("\(normalized) \(slug): Mem0 holds \(memories.map(\.memory)), row holds \(bySlug[slug] ?? "nothing")")
                }
                for slug in bySlug.keys where remoteBySlug[slug] == nil { undone.append("\(normalized) \(slug): missing in Mem0") }
            }
            let repaired = runs.reduce(0) { $0 + $1.drift.values.reduce(0) { $0 + $1.repaired } }
            let deferred = runs.reduce(0) { $0 + $1.deferred }
            print("[reconcile-beside-savers] runs=\(runs.count) rows=\(rows) repairs=\(repaired) deferred=\(deferred) problems=\(undone.count)")
            #expect(runs.count >= 2, "reconcile ran while the savers worked")
            #expect(undone.isEmpty, "\(undone.prefix(10))")
        }
    }
}

/// The last write of each (owner, slug): its content, or nil for a delete.
private actor LastWrite {
    private var writes: [String: [String: String?]] = [:]

    func record(owner: String, slug: String, content: String?) { writes[owner, default: [:]][slug] = .some(content) }
    func last(owner: String) -> [String: String?] { writes[owner] ?? [:] }
}
