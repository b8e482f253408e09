import BrainCore
import BrainStorePostgres
import Foundation
import Synchronization
import Testing

/// One reconcile run at a time across the daemons of a database, and one scheduled run per interval.
@Suite("PostgreSQL reconcile slot", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresReconcileSlotTests {
    func withTwoDaemons(_ body: (PostgresStore, PostgresStore) async throws -> Void) async throws {
        try await TestPostgres.withStore(options: PostgresLeaseTests.options("daemon-a", lease: .seconds(1))) { a, url in
            let b = try await PostgresStore.open(url: url, options: PostgresLeaseTests.options("daemon-b", lease: .seconds(1)), logger: TestPostgres.logger)
            do {
                try await a.register(host: "alpha", pid: 1, version: "test")
                try await b.register(host: "beta", pid: 2, version: "test")
                try await body(a, b)
                await b.close()
            } catch {
                await b.close()
                throw error
            }
        }
    }

    @Test func oneRunHoldsTheSlotUntilItEndsOrItsDaemonIsGone() async throws {
        try await withTwoDaemons { a, b in
            #expect(try await a.claimReconcileSlot(runID: "run-a") == nil)
            #expect(try await b.claimReconcileSlot(runID: "run-b") == "run-a", "the other daemon learns which run holds it")
            try await a.releaseReconcileSlot(runID: "run-a")
            #expect(try await b.claimReconcileSlot(runID: "run-b") == nil)
            // run-b's daemon stops heartbeating: after three leases its slot is free.
            #expect(try await a.claimReconcileSlot(runID: "run-a2") == "run-b")
            for _ in 0..<4 {
                try await Task.sleep(for: .seconds(1))
                try await a.heartbeat()
            }
            #expect(try await a.claimReconcileSlot(runID: "run-a2") == nil)
            // A restarted daemon frees the slot it held in its previous life.
            try await a.markInterruptedRuns()
            #expect(try await b.claimReconcileSlot(runID: "run-b2") == nil)
        }
    }

    /// Intervals far from the test's own pace: a loaded CI machine once took over a second
    /// between two claims, so a 1 s interval had already passed when "not yet" was asked.
    @Test func theScheduledRunGoesToOneDaemonPerInterval() async throws {
        try await withTwoDaemons { a, b in
            #expect(try await a.claimScheduledReconcile(interval: .seconds(600)))
            #expect(try await !b.claimScheduledReconcile(interval: .seconds(600)))
            #expect(try await !a.claimScheduledReconcile(interval: .seconds(600)))
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await b.claimScheduledReconcile(interval: .milliseconds(500)), "the interval passed: the next daemon to ask runs it")
            #expect(try await !a.claimScheduledReconcile(interval: .seconds(600)))
        }
    }

    /// One Mem0 budget: a pause one daemon's gate starts reaches the others, not itself.
    @Test func aPauseAnnouncedByOneDaemonReachesTheOthers() async throws {
        try await withTwoDaemons { a, b in
            let heard = Heard()
            let listenA = Task { await a.listen(ClusterSignals(wake: {}, pause: { heard.add("a", $0) })) }
            let listenB = Task { await b.listen(ClusterSignals(wake: {}, pause: { heard.add("b", $0) })) }
            defer { listenA.cancel(); listenB.cancel() }
            // LISTEN goes out right after connecting; announce until someone hears.
            for _ in 0..<50 where heard.all.isEmpty {
                await a.announcePause(.seconds(3))
                try await Task.sleep(for: .milliseconds(100))
            }
            let pauses = heard.all
            #expect(pauses.contains { $0.0 == "b" && $0.1 == .seconds(3) }, "\(pauses)")
            #expect(!pauses.contains { $0.0 == "a" }, "a daemon does not hear its own pause back")
            listenA.cancel()
            listenB.cancel()
            await listenA.value
            await listenB.value
        }
    }

    final class Heard: Sendable {
        private let pauses = Mutex<[(String, Duration)]>([])
        func add(_ who: String, _ delay: Duration) { pauses.withLock { $0.append((who, delay)) } }
        var all: [(String, Duration)] { pauses.withLock { $0 } }
    }
}
