import BrainCore
import BrainStorePostgres
import Foundation
import Testing

// Needs a real server: run through scripts/with-postgres, which sets BRAIND_TEST_POSTGRES_URL.
@Suite("PostgreSQL push queue", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresPushTests {
    @Test func claimThenStoreSyncsTheRow() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: [.make("tax", "ProPyme")])
            let tasks = try await store.claimPushTasks(limit: 10)
            #expect(tasks.map(\.slug) == ["tax"])
            let task = try #require(tasks.first)
            #expect(task.operation == .add)
            #expect(!task.addOutcomeUnknown)
            #expect(task.entityID == "761234565")
            // In flight: a second claim (another daemon) takes nothing.
            #expect(try await store.claimPushTasks(limit: 10).isEmpty)
            #expect(try await store.counts(.company).inFlight == 1)
            try await store.completePush(task, outcome: .stored(memoryID: "mem-1"))
            let memory = try await store.memory(.company, owner: acme, slug: "tax")
            #expect(memory.syncState == .synced)
            #expect(memory.memoryID == "mem-1")
            #expect(memory.syncedVersion == 1)
            #expect(try await store.nextPushDue() == nil)
        }
    }

    /// The add-started mark is set by the claim, survives a retry whose outcome is unknown and a
    /// crash (recover), and goes only once Mem0's holding is known.
    @Test func addStartedMarkLastsUntilMem0sHoldingIsKnown() async throws {
        try await TestPostgres.withStore { store, url in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: [.make("tax", "ProPyme")])
            let first = try #require(try await store.claimPushTasks(limit: 1).first)
            #expect(!first.addOutcomeUnknown)
            let marked = "SELECT push_started_at IS NOT NULL FROM company_brain WHERE slug = 'tax'"
            #expect(try await TestPostgres.scalar(url, marked, as: Bool.self) == true)
            try await store.completePush(first, outcome: .retry(error: "timeout", delay: .zero, outcomeUnknown: true))
            let second = try #require(try await store.claimPushTasks(limit: 1).first)
            #expect(second.addOutcomeUnknown)
            // A crash while in flight: recovery puts it back to pending, mark kept.
            #expect(try await store.recoverInFlightPushes() == 1)
            let third = try #require(try await store.claimPushTasks(limit: 1).first)
            #expect(third.addOutcomeUnknown)
            try await store.completePush(third, outcome: .stored(memoryID: "mem-1"))
            #expect(try await TestPostgres.scalar(url, marked, as: Bool.self) == false)
        }
    }

    @Test func aSaveWhileInFlightStaysInFlightThenGoesOutNext() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: [.make("tax", "v1")])
            let task = try #require(try await store.claimPushTasks(limit: 1).first)
            let during = try await store.save(.company, owner: acme, memories: [.make("tax", "v2")])
            #expect(during.items.first?.syncState == .inFlight)
            try await store.completePush(task, outcome: .stored(memoryID: "mem-1"))
            let memory = try await store.memory(.company, owner: acme, slug: "tax")
            #expect(memory.syncState == .pending)
            #expect(memory.syncedVersion == 1)
            let next = try #require(try await store.claimPushTasks(limit: 1).first)
            #expect(next.version == 2)
            #expect(next.operation == .update)
            #expect(next.content == "v2")
        }
    }

    @Test func failedRowsWaitForRetry() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: [.make("tax", "v1")])
            let task = try #require(try await store.claimPushTasks(limit: 1).first)
            try await store.completePush(task, outcome: .failed(error: "refused"))
            #expect(try await store.failedMemories().map(\.lastError) == ["refused"])
            #expect(try await store.claimPushTasks(limit: 1).isEmpty)
            #expect(try await store.retryFailed() == 1)
            #expect(try await store.claimPushTasks(limit: 1).count == 1)
        }
    }

    @Test func twoClaimersNeverTakeTheSameRow() async throws {
        try await TestPostgres.withStore { store, _ in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: (0..<300).map { .make("s\($0)", "c") })
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let tasks = try await store.claimPushTasks(limit: 7)
                            if tasks.isEmpty { return mine }
                            mine += tasks.map(\.recordID)
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == 300)
            #expect(Set(claimed).count == 300)
        }
    }
}
