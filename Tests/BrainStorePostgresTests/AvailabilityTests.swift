import BrainCore
import BrainStorePostgres
import Foundation
import PostgresNIO
import Testing

// Needs a real server: run through scripts/with-postgres, which sets BRAIND_TEST_POSTGRES_URL.
@Suite("PostgreSQL unreachable or lost", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresAvailabilityTests {
    /// Nothing listens on port 1: the probe fails at once, naming where it looked.
    @Test func aRefusedConnectionFailsTheProbeFastWithoutThePassword() async throws {
        let url = try PostgresURL("postgresql://braind:hunter2@127.0.0.1:1/brains?sslmode=disable", environment: [:])
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let store = try await PostgresStore.open(url: url, logger: TestPostgres.logger)
            await store.close()
            Issue.record("a store opened on a closed port")
        } catch {
            let message = "\(error)"
            #expect(message.contains("host 127.0.0.1, port 1, database brains"), "\(message)")
            #expect(!message.contains("hunter2"))
            #expect(!String(reflecting: error).contains("hunter2"))
        }
        // A loose bound: it tells a probe that gives up from a pool that retries for ever, and
        // stays true on a loaded machine (the deadline itself is the probe's, not this test's).
        #expect(clock.now - start < .seconds(15))
    }

    /// A server that never answers (a listening socket nobody accepts on): the probe's deadline.
    @Test func aSilentServerFailsTheProbeWithinItsDeadline() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let url = try PostgresURL("postgresql://braind:hunter2@127.0.0.1:\(listener.port)/brains?sslmode=disable", environment: [:])
        var options = PostgresStoreOptions()
        options.probeDeadline = .seconds(1)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: PostgresStoreError.self) {
            let store = try await PostgresStore.open(url: url, options: options, logger: TestPostgres.logger)
            await store.close()
        }
        // A loose bound: it tells a probe that gives up from a pool that retries for ever, and
        // stays true on a loaded machine (the deadline itself is the probe's, not this test's).
        #expect(clock.now - start < .seconds(15))
    }

    /// A query that cannot finish (a table locked by someone else) answers storage-unavailable at
    /// the deadline, and the store works once the lock is gone.
    @Test func theQueryDeadlineTurnsAStuckQueryIntoStorageUnavailable() async throws {
        var options = TestPostgres.relaxed
        // Long enough for the setup saves on a machine running other suites; the locked save
        // still ends at it instead of waiting for the lock.
        options.queryDeadline = .seconds(3)
        try await TestPostgres.withStore(options: options) { store, url in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: [.make("a", "1")])
            try await TestPostgres.withConnection(url) { locker in
                try await locker.query("BEGIN", logger: TestPostgres.logger)
                try await locker.query("LOCK TABLE company_brain IN ACCESS EXCLUSIVE MODE", logger: TestPostgres.logger)
                await #expect(throws: BrainError.storageUnavailable(reason: "PostgreSQL did not answer within 3.0 seconds")) {
                    try await store.save(.company, owner: acme, memories: [.make("a", "2")])
                }
                try await locker.query("ROLLBACK", logger: TestPostgres.logger)
            }
            #expect(try await store.save(.company, owner: acme, memories: [.make("a", "3")]).items.first?.status == .updated)
        }
    }

    /// The database goes away under a running store (its connections are cut and new ones are
    /// refused): calls answer storage-unavailable within the deadline, and the store recovers by
    /// itself when the database is back. No acknowledged save is lost.
    @Test func aLostDatabaseAnswersStorageUnavailableThenRecovers() async throws {
        var options = TestPostgres.relaxed
        // Long enough for the setup save on a machine running other suites.
        options.queryDeadline = .seconds(3)
        try await TestPostgres.withStore(options: options) { store, url in
            let acme = try owner("761234565")
            _ = try await store.save(.company, owner: acme, memories: [.make("kept", "acknowledged")])
            var admin = url
            admin.database = try PostgresURL(TestPostgres.baseURL ?? "").database
            try await TestPostgres.admin(
                admin, "SET ROLE braind_owner", "ALTER DATABASE \(url.database) ALLOW_CONNECTIONS false", "RESET ROLE",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(url.database)'")
            let clock = ContinuousClock()
            let start = clock.now
            do {
                _ = try await store.counts(.company)
                Issue.record("a read succeeded on a lost database")
            } catch let error as BrainError {
                #expect(error.code == "storage_unavailable")
            }
            // A loose bound: it tells a deadline from a pool that retries for ever, and stays
            // true on a loaded machine.
            #expect(clock.now - start < .seconds(15))
            await #expect(throws: BrainError.self) {
                try await store.save(.company, owner: acme, memories: [.make("late", "refused")])
            }
            #expect(store.storageHealth.current != nil)
            try await TestPostgres.admin(admin, "SET ROLE braind_owner", "ALTER DATABASE \(url.database) ALLOW_CONNECTIONS true")
            // The pool reconnects on its own; give it a few tries.
            var recovered = false
            for _ in 0..<20 where !recovered {
                recovered = (try? await store.save(.company, owner: acme, memories: [.make("after", "back")])) != nil
                if !recovered { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(recovered)
            #expect(try await store.memory(.company, owner: acme, slug: "kept").content == "acknowledged")
            #expect(store.storageHealth.current == nil)
        }
    }
}
