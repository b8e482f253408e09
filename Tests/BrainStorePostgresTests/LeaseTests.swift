import BrainCore
import BrainStorePostgres
import Foundation
import Testing

/// Several daemons on one database: push claims are leases held by one daemon each.
@Suite("PostgreSQL push leases", .enabled(if: TestPostgres.isConfigured, "BRAIND_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"))
struct PostgresLeaseTests {
    static func options(_ id: String, lease: Duration) -> PostgresStoreOptions {
        var options = TestPostgres.relaxed
        options.daemonID = id
        options.leaseDuration = lease
        return options
    }

    /// Two daemons' stores on one database, the second opened beside the first.
    func withTwoDaemons(lease: Duration, _ body: (PostgresStore, PostgresStore, PostgresURL) async throws -> Void) async throws {
        try await TestPostgres.withStore(options: Self.options("daemon-a", lease: lease)) { a, url in
            let b = try await PostgresStore.open(url: url, options: Self.options("daemon-b", lease: lease), logger: TestPostgres.logger)
            do {
                try await body(a, b, url)
                await b.close()
            } catch {
                await b.close()
                throw error
            }
        }
    }

    @Test func daemonsClaimDisjointRowsAndEachNamesItselfAsHolder() async throws {
        try await withTwoDaemons(lease: .seconds(60)) { a, b, url in
            let acme = try owner("761234565")
            _ = try await a.save(.company, owner: acme, memories: (0..<10).map { .make("m\($0)", "x\($0)") })
            let fromA = try await a.claimPushTasks(limit: 4)
            let fromB = try await b.claimPushTasks(limit: 100)
            #expect(fromA.count == 4)
            #expect(fromB.count == 6)
            #expect(Set(fromA.map(\.recordID)).isDisjoint(with: fromB.map(\.recordID)))
            let holders = try await TestPostgres.withConnection(url) { connection in
                try await connection.query(
                    "SELECT claimed_by, count(*) FROM company_brain WHERE sync_state = 'in_flight' GROUP BY claimed_by ORDER BY 1",
                    logger: TestPostgres.logger
                ).collect().map { try $0.decode((String, Int).self) }
            }
            #expect(holders.map { "\($0.0)=\($0.1)" } == ["daemon-a=4", "daemon-b=6"])
        }
    }

    /// A daemon that dies mid-push (no more heartbeats) keeps its rows until the lease runs out;
    /// then another daemon claims them with the add mark, so its record_id lookup finds what the
    /// dead daemon's call stored, and the dead daemon's late outcome no longer counts.
    @Test func anExpiredLeasePassesToAnotherDaemonWithTheAddMark() async throws {
        try await withTwoDaemons(lease: .seconds(2)) { a, b, _ in
            let acme = try owner("761234565")
            _ = try await a.save(.company, owner: acme, memories: [.make("tax", "ProPyme")])
            let lost = try #require(try await a.claimPushTasks(limit: 1).first)
            #expect(try await b.claimPushTasks(limit: 10).isEmpty, "a live lease is not claimable")
            #expect(try await b.recoverInFlightPushes() == 0, "a start recovers only its own claims")
            try await Task.sleep(for: .milliseconds(2_500))
            let taken = try #require(try await b.claimPushTasks(limit: 10).first)
            #expect(taken.recordID == lost.recordID)
            #expect(taken.addOutcomeUnknown, "the add mark goes with the row: the new holder looks Mem0 up by record_id")
            // The first daemon's call ends after all: its outcome is not recorded over the new claim.
            try await a.completePush(lost, outcome: .stored(memoryID: "mem-from-a"))
            #expect(try await a.counts(.company).inFlight == 1)
            try await b.completePush(taken, outcome: .stored(memoryID: "mem-from-b"))
            let memory = try await b.memory(.company, owner: acme, slug: "tax")
            #expect(memory.memoryID == "mem-from-b")
            #expect(memory.syncState == .synced)
        }
    }

    /// The holder's heartbeat renews its leases: a push longer than the lease keeps its row.
    @Test func theHeartbeatKeepsALongPushsLease() async throws {
        try await withTwoDaemons(lease: .seconds(2)) { a, b, _ in
            let acme = try owner("761234565")
            _ = try await a.save(.company, owner: acme, memories: [.make("tax", "ProPyme")])
            let task = try #require(try await a.claimPushTasks(limit: 1).first)
            for _ in 0..<4 {
                try await Task.sleep(for: .milliseconds(700))
                #expect(try await a.heartbeat() == 1)
                #expect(try await b.claimPushTasks(limit: 10).isEmpty)
            }
            try await a.completePush(task, outcome: .stored(memoryID: "mem-1"))
            #expect(try await a.memory(.company, owner: acme, slug: "tax").syncState == .synced)
        }
    }

    /// A daemon restarted under the same id takes its own claims back at once; another daemon's
    /// live claims stay where they are.
    @Test func aRestartRecoversOnlyItsOwnClaims() async throws {
        try await withTwoDaemons(lease: .seconds(60)) { a, b, url in
            let acme = try owner("761234565")
            _ = try await a.save(.company, owner: acme, memories: [.make("one", "1"), .make("two", "2")])
            _ = try await a.claimPushTasks(limit: 1)
            _ = try await b.claimPushTasks(limit: 1)
            let restarted = try await PostgresStore.open(url: url, options: Self.options("daemon-a", lease: .seconds(60)), logger: TestPostgres.logger)
            let recovered = try await restarted.recoverInFlightPushes()
            await restarted.close()
            #expect(recovered == 1)
            #expect(try await a.counts(.company).inFlight == 1, "daemon-b's claim is untouched")
        }
    }

    @Test func daemonsRegisterHeartbeatAndLeave() async throws {
        try await withTwoDaemons(lease: .seconds(60)) { a, b, _ in
            try await a.register(host: "alpha", pid: 11, version: "test")
            try await b.register(host: "beta", pid: 22, version: "test")
            #expect(try await a.liveDaemons()?.map(\.id) == ["daemon-a", "daemon-b"])
            #expect(try await b.heartbeat() == 0)
            await b.deregister()
            #expect(try await a.liveDaemons()?.map(\.host) == ["alpha"])
        }
    }
}
