@testable import BrainCore
import BrainSync
import BrainTestSupport
import FakeMem0
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2)))
struct PushWorkerTests {
    @Test("A new row is added with infer false, the RUT as user_id and our metadata, then marked synced")
    func create() async throws {
        try await PushFixture.with { f in
            try await f.save([("company_tax_regime", "Régimen tributario: ProPyme General")])
            #expect(await f.worker.pushPending() == 1)
            let remote = await f.fake.memories()
            #expect(remote.count == 1)
            let memory = try #require(remote.first)
            #expect(memory.memory == "Régimen tributario: ProPyme General")
            #expect(memory.userID == PushFixture.entity)
            let row = try #require(try await f.row("company_tax_regime"))
            #expect(memory.metadata?["brain"] == .string("company"))
            #expect(memory.metadata?["slug"] == .string("company_tax_regime"))
            #expect(memory.metadata?["category"] == .string("test"))
            #expect(memory.metadata?["record_id"] == row["id"].map(FakeJSON.string))
            #expect(row["memory_id"] == memory.id)
            #expect(row["sync_state"] == "synced")
            #expect(row["synced_version"] == "1")
            #expect(row["push_started_at"] == nil as String?)
            #expect(try await f.events(.pushed) == 1)
        }
    }

    @Test("An edit is pushed as an update of the same memory")
    func update() async throws {
        try await PushFixture.with { f in
            try await f.save([("a", "one")])
            await f.worker.pushPending()
            try await f.save([("a", "two")])
            await f.worker.pushPending()
            let remote = await f.fake.memories()
            #expect(remote.map(\.memory) == ["two"])
            #expect(await f.fake.requestCount(.add) == 1)
            #expect(await f.fake.requestCount(.update) == 1)
            #expect(try await f.row("a")?["synced_version"] == "2")
        }
    }

    @Test("Ten offline edits of one slug cost one call", arguments: [false, true])
    func coalescing(alreadyPushed: Bool) async throws {
        try await PushFixture.with { f in
            if alreadyPushed {
                try await f.save([("a", "v0")])
                await f.worker.pushPending()
                await f.fake.clearRequestLog()
            }
            for version in 1...10 { try await f.save([("a", "v\(version)")]) }
            await f.worker.pushPending()
            let writes = await f.fake.requestLog().filter { $0.route.isWrite }
            #expect(writes.count == 1)
            #expect(writes.first?.route == (alreadyPushed ? .update : .add))
            #expect(await f.fake.memories().map(\.memory) == ["v10"])
        }
    }

    @Test("A delete removes the remote memory and then purges the tombstone")
    func delete() async throws {
        try await PushFixture.with { f in
            try await f.save([("a", "x"), ("b", "y")])
            await f.worker.pushPending()
            _ = try await f.database.delete(.company, owner: try OwnerReference(PushFixture.rut), slug: "a")
            #expect(try await f.row("a")?["deleted"] == "1")
            await f.worker.pushPending()
            #expect(await f.fake.memories().map(\.memory) == ["y"])
            #expect(try await f.row("a") == nil)
        }
    }

    @Test("A delete of a memory already gone from Mem0 (404) counts as done")
    func deleteMissing() async throws {
        try await PushFixture.with { f in
            try await f.save([("a", "x")])
            await f.worker.pushPending()
            let id = try #require(try await f.row("a")?["memory_id"])
            #expect(await f.fake.deleteMemory(id: id))
            _ = try await f.database.delete(.company, owner: try OwnerReference(PushFixture.rut), slug: "a")
            await f.worker.pushPending()
            #expect(try await f.row("a") == nil)
        }
    }

    @Test("An update answered 404 adds the memory again (claimed as an add, with its mark), stores the new id and journals a repair", arguments: FakeMem0API.allCases)
    func recreateOn404(api: FakeMem0API) async throws {
        try await PushFixture.with(api: api) { f in
            try await f.save([("a", "x")])
            await f.worker.pushPending()
            let oldID = try #require(try await f.row("a")?["memory_id"])
            #expect(await f.fake.deleteMemory(id: oldID))
            try await f.save([("a", "x2")])
            await f.worker.pushPending()
            let forgotten = try #require(try await f.row("a"))
            #expect(forgotten["memory_id"] == nil as String?, "the row forgets the memory Mem0 lost")
            #expect(forgotten["sync_state"] == "pending")
            #expect(await f.fake.requestCount(.add) == 1, "no add in the same call as the 404")
            await f.worker.pushPending()
            let remote = await f.fake.memories()
            #expect(remote.map(\.memory) == ["x2"])
            let newID = try #require(try await f.row("a")?["memory_id"])
            #expect(newID != oldID)
            #expect(remote.first?.id == newID)
            #expect(try await f.row("a")?["sync_state"] == "synced")
            #expect(try await f.events(.repaired) == 1)
        }
    }

    @Test("400 marks the row failed with the error; brain retry pushes it again")
    func permanentFailureAndRetry() async throws {
        try await PushFixture.with { f in
            await f.fake.injectFault(FakeMem0Fault(.status(400, body: #"{"detail":"Invalid metadata"}"#), route: .add, count: 1))
            try await f.save([("a", "x")])
            await f.worker.pushPending()
            let row = try #require(try await f.row("a"))
            #expect(row["sync_state"] == "failed")
            #expect(row["last_error"]?.contains("Invalid metadata") == true)
            #expect(try await f.database.counts(.company).failed == 1)
            #expect(try await f.database.failedMemories().map(\.slug) == ["a"])
            await f.worker.pushPending()
            #expect(await f.fake.requestCount(.add) == 1, "a failed row waits for a change or a retry")

            #expect(try await f.database.retryFailed() == 1)
            await f.worker.pushPending()
            #expect(try await f.row("a")?["sync_state"] == "synced")
            #expect(await f.fake.memories().count == 1)
        }
    }

    @Test("A changed failed row is retried after its next change")
    func failedRowRetriedOnChange() async throws {
        try await PushFixture.with { f in
            await f.fake.injectFault(FakeMem0Fault(.status(422), route: .add, count: 1))
            try await f.save([("a", "x")])
            await f.worker.pushPending()
            #expect(try await f.row("a")?["sync_state"] == "failed")
            try await f.save([("a", "y")])
            await f.worker.pushPending()
            #expect(await f.fake.memories().map(\.memory) == ["y"])
        }
    }

    @Test("Store-then-time-out on add ends with exactly one remote memory, adopted by record_id", arguments: FakeMem0API.allCases)
    func storeThenTimeout(api: FakeMem0API) async throws {
        try await PushFixture.with(requestTimeout: .milliseconds(500), api: api) { f in
            await f.fake.injectFault(FakeMem0Fault(.storeThenTimeout(delay: .seconds(3)), route: .add, count: 1))
            try await f.save([("a", "x")])
            await f.worker.pushPending()
            let afterTimeout = try #require(try await f.row("a"))
            #expect(afterTimeout["sync_state"] == "pending")
            #expect(afterTimeout["push_started_at"] != nil as String?, "the add's outcome is unknown")
            #expect(await f.fake.memories().count == 1, "the fake kept the memory")

            // Past the row's backoff; on a loaded machine the lookup itself may hit the 500 ms
            // timeout, so passes go on until the row settles (each one looks up, never adds).
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(100))
                await f.worker.pushPending()
                if try await f.row("a")?["sync_state"] == "synced" { break }
            }
            let remote = await f.fake.memories()
            #expect(remote.count == 1)
            let row = try #require(try await f.row("a"))
            #expect(row["memory_id"] == remote.first?.id)
            #expect(row["sync_state"] == "synced")
            #expect(await f.fake.requestCount(.add) == 1, "the retry adopted the memory instead of adding it again")
        }
    }

    @Test("A row edited while its add is in flight is not claimed again until that add ends; then its update goes out")
    func editDuringAnInFlightAdd() async throws {
        try await PushFixture.with { f in
            try await f.save([("target", "first")])
            let first = try #require(try await f.database.claimPushTasks(limit: 10).first)
            #expect(first.operation == .add)

            try await f.save([("target", "edited while the add was in flight")])
            #expect(try await f.row("target")?["sync_state"] == "in_flight", "the edit does not release the row")
            #expect(try await f.database.claimPushTasks(limit: 10).isEmpty, "a second claim would add it twice")

            try await f.database.completePush(first, outcome: .stored(memoryID: "11111111-1111-4111-8111-111111111111"))
            #expect(try await f.row("target")?["sync_state"] == "pending", "the newer version is still to push")
            let next = try #require(try await f.database.claimPushTasks(limit: 10).first)
            #expect(next.operation == .update)
            #expect(next.memoryID == "11111111-1111-4111-8111-111111111111")
            #expect(next.content == "edited while the add was in flight")
        }
    }

    @Test("A row deleted while its add is in flight stays claimed by that add, then its delete goes out")
    func deleteDuringAnInFlightAdd() async throws {
        try await PushFixture.with { f in
            try await f.save([("target", "first")])
            let first = try #require(try await f.database.claimPushTasks(limit: 10).first)
            _ = try await f.database.delete(.company, owner: try OwnerReference(PushFixture.rut), slug: "target")
            #expect(try await f.row("target")?["sync_state"] == "in_flight")
            #expect(try await f.database.claimPushTasks(limit: 10).isEmpty)

            try await f.database.completePush(first, outcome: .stored(memoryID: "22222222-2222-4222-8222-222222222222"))
            let next = try #require(try await f.database.claimPushTasks(limit: 10).first)
            #expect(next.operation == .delete)
        }
    }
}
