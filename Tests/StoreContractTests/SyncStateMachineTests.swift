import BrainCore
import BrainTestSupport
import Foundation
import Testing

/// Drives rows through every move of `SyncStateMachine` with the store's own calls and checks each
/// state it observes against the machine, and the "add started" mark against its rule. The same
/// suite runs on SQLite and PostgreSQL.
struct SyncStateMachineTests {
    private let company = try! OwnerReference("76.086.428-5")

    /// A row's state and whether its add-started mark is set, read through the probe.
    private func observe(_ database: any BrainStore, _ slug: String) async throws -> (SyncState, addStarted: Bool)? {
        guard let row = try await sql(database).row("company_brain", slug: slug), let state = row["sync_state"].flatMap(SyncState.init(rawValue:))
        else { return nil }
        return (state, row["push_started_at"] != nil)
    }

    /// Applies `move` and checks the state it leads to is one the machine allows.
    private func expectMove(
        _ database: any BrainStore, _ slug: String, _ mover: SyncStateMachine.Mover, to expected: SyncState,
        sourceLocation: SourceLocation = #_sourceLocation, _ move: () async throws -> Void
    ) async throws {
        let before = try #require(try await observe(database, slug)?.0, sourceLocation: sourceLocation)
        try await move()
        let after = try #require(try await observe(database, slug)?.0, sourceLocation: sourceLocation)
        #expect(after == expected, "\(mover): \(before) → \(after), expected \(expected)", sourceLocation: sourceLocation)
        #expect(SyncStateMachine.allows(mover, from: before, to: after), "\(mover) may not move \(before) → \(after)", sourceLocation: sourceLocation)
    }

    @Test("An add: claimed with its mark, stored, synced; the mark is cleared only then")
    func addLifecycle() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: company, memories: [MemoryInput(slug: "a", content: "x")])
        #expect(try await observe(database, "a")?.0 == .pending)
        var task: PushTask?
        try await expectMove(database, "a", .claim, to: .inFlight) {
            task = try await database.claimPushTasks(limit: 10).first
        }
        let claimed = try #require(task)
        #expect(claimed.operation == .add)
        #expect(try await observe(database, "a")?.addStarted == true, "the claim of an add sets the mark in the same commit")
        try await expectMove(database, "a", .outcome, to: .synced) {
            try await database.completePush(claimed, outcome: .stored(memoryID: "m-1"))
        }
        #expect(try await observe(database, "a")?.addStarted == false)
        #expect(try await database.memory(.company, owner: company, slug: "a").memoryID == "m-1")
    }

    @Test("An add whose outcome is unknown keeps its mark, and the next claim says to look before adding")
    func unknownOutcome() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: company, memories: [MemoryInput(slug: "a", content: "x")])
        let first = try #require(try await database.claimPushTasks(limit: 1).first)
        #expect(!first.addOutcomeUnknown)
        try await expectMove(database, "a", .outcome, to: .pending) {
            try await database.completePush(first, outcome: .retry(error: "timeout", delay: .zero, outcomeUnknown: true))
        }
        #expect(try await observe(database, "a")?.addStarted == true)
        let second = try #require(try await database.claimPushTasks(limit: 1, now: Date().addingTimeInterval(1)).first)
        #expect(second.addOutcomeUnknown, "the retry looks for a memory carrying the record_id first")
        try await database.completePush(second, outcome: .failed(error: "refused"))
        #expect(try await observe(database, "a")?.addStarted == true, "a refusal now says nothing of the earlier add: the mark stays")

        _ = try await database.save(.company, owner: company, memories: [MemoryInput(slug: "b", content: "y")])
        let clean = try #require(try await database.claimPushTasks(limit: 1).first)
        try await database.completePush(clean, outcome: .failed(error: "refused"))
        #expect(try await observe(database, "b")?.addStarted == false, "an add refused outright clears its own mark")
    }

    @Test("A save while in flight keeps the claim; the outcome leaves the newer version pending")
    func saveWhileInFlight() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: company, memories: [MemoryInput(slug: "a", content: "x")])
        let task = try #require(try await database.claimPushTasks(limit: 1).first)
        try await expectMove(database, "a", .save, to: .inFlight) {
            _ = try await database.save(.company, owner: company, memories: [MemoryInput(slug: "a", content: "y")])
        }
        #expect(try await database.claimPushTasks(limit: 10).isEmpty, "a row in flight is never claimed twice")
        try await expectMove(database, "a", .outcome, to: .pending) {
            try await database.completePush(task, outcome: .stored(memoryID: "m-1"))
        }
        let stored = try await database.memory(.company, owner: company, slug: "a")
        #expect((stored.memoryID, stored.syncedVersion, stored.version) == ("m-1", 1, 2))
        let next = try #require(try await database.claimPushTasks(limit: 1).first)
        #expect((next.operation, next.content) == (.update, "y"))
    }

    @Test("Failed waits for retry; a lost memory goes back as an add; a crash's claims are recovered")
    func failedGoneRecovered() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: company, memories: [MemoryInput(slug: "a", content: "x"), MemoryInput(slug: "b", content: "y")])
        let tasks = try await database.claimPushTasks(limit: 10)
        let a = try #require(tasks.first { $0.slug == "a" })
        let b = try #require(tasks.first { $0.slug == "b" })
        try await expectMove(database, "a", .outcome, to: .failed) {
            try await database.completePush(a, outcome: .failed(error: "Invalid metadata"))
        }
        #expect(try await database.claimPushTasks(limit: 10, now: Date().addingTimeInterval(3_600)).isEmpty)
        try await expectMove(database, "a", .retry, to: .pending) { _ = try await database.retryFailed(brain: nil) }

        try await database.completePush(b, outcome: .stored(memoryID: "m-b"))
        _ = try await database.save(.company, owner: company, memories: [MemoryInput(slug: "b", content: "y2")])
        let update = try #require(try await database.claimPushTasks(limit: 10).first { $0.slug == "b" })
        #expect(update.operation == .update)
        try await expectMove(database, "b", .outcome, to: .pending) {
            try await database.completePush(update, outcome: .gone(previous: "m-b"))
        }
        let readd = try #require(try await database.claimPushTasks(limit: 10).first { $0.slug == "b" })
        #expect(readd.operation == .add && readd.memoryID == nil)
        #expect(try await observe(database, "b")?.addStarted == true, "the re-add is claimed with its mark like any add")
        try await expectMove(database, "b", .recover, to: .pending) { _ = try await database.recoverInFlightPushes() }
    }

    @Test("Reconcile claims only a synced row exactly as read; a save landing meanwhile wins")
    func repairClaim() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: company, memories: [MemoryInput(slug: "a", content: "x")])
        let task = try #require(try await database.claimPushTasks(limit: 1).first)
        try await database.completePush(task, outcome: .stored(memoryID: "m-1"))
        let read = try #require(try await database.reconcileRows(.company, rut: "760864285").first)
        #expect(read.isSynced)
        _ = try await database.save(.company, owner: company, memories: [MemoryInput(slug: "a", content: "changed")])
        #expect(try await database.claimForRepair(read, forgetMemoryID: true, reason: "missing") == nil, "the save wins")

        let fresh = try #require(try await database.claimPushTasks(limit: 1).first)
        try await database.completePush(fresh, outcome: .stored(memoryID: "m-1"))
        let current = try #require(try await database.reconcileRows(.company, rut: "760864285").first)
        var repair: PushTask?
        try await expectMove(database, "a", .reconcile, to: .inFlight) {
            repair = try await database.claimForRepair(current, forgetMemoryID: true, reason: "missing")
        }
        #expect(repair?.operation == .add)
        #expect(try await observe(database, "a")?.addStarted == true)
    }
}
