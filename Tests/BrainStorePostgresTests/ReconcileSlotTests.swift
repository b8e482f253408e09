import BrainCore
import BrainStorePostgres
import Foundation
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

    @Test func theScheduledRunGoesToOneDaemonPerInterval() async throws {
        try await withTwoDaemons { a, b in
            #expect(try await a.claimScheduledReconcile(interval: .seconds(1)))
            #expect(try await !b.claimScheduledReconcile(interval: .seconds(1)))
            #expect(try await !a.claimScheduledReconcile(interval: .seconds(1)))
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await b.claimScheduledReconcile(interval: .seconds(1)))
            #expect(try await !a.claimScheduledReconcile(interval: .seconds(1)))
        }
    }
}
