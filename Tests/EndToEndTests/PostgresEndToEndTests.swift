import BrainCore
import BrainStorePostgres
import BrainTestSupport
import FakeMem0
import Foundation
import Testing

/// What only a PostgreSQL store does: daemons sharing one database, and backups left to pg_dump.
@Suite(.timeLimit(.minutes(2)), .enabled(if: TestStoreKind.current == .postgresql, "what only a PostgreSQL store does: shared databases, its backups"))
struct PostgresEndToEndTests {
    @Test("Two braind daemons on one PostgreSQL database both serve it, and neither takes back a row another live daemon is pushing")
    func twoDaemonsShareADatabase() async throws {
        let directory = try makeShortTemporaryDirectory()
        let url = try await TestStores.databaseArgument(directory: directory)
        // A row in flight under the lease of a third daemon, elsewhere and alive.
        var options = PostgresStoreOptions()
        options.daemonID = "elsewhere:/run/braind.sock"
        options.leaseDuration = .seconds(600)
        let elsewhere = try await PostgresStore.open(url: try PostgresURL(url), options: options)
        _ = try await elsewhere.save(.company, owner: try OwnerReference("12.345.678-5"), memories: [MemoryInput(slug: "a", content: "x")])
        #expect(try await elsewhere.claimPushTasks(limit: 10).count == 1)

        let first = try await DaemonProcess(directory: directory)
        defer { first.removeDirectory() }
        let second = try await DaemonProcess(directory: directory, socketName: "second.sock")
        _ = try await second.client.save(.company, owner: "12.345.678-5", memories: [MemoryInput(slug: "b", content: "y")])
        let seenByFirst = try await first.client.list(.company, owner: "12.345.678-5")
        #expect(seenByFirst.memories.map(\.slug) == ["a", "b"], "a save through one daemon is read through the other")
        #expect(try await first.client.status().brains["company"]?.inFlight == 1, "the other daemon's in-flight push stays its own")
        let members = try await elsewhere.liveDaemons()?.map(\.id) ?? []
        #expect(members.count == 2 && members.allSatisfy { $0.hasSuffix(".sock") }, "\(members)")
        let status = try await first.client.status()
        #expect(status.cluster?.count == 2, "status lists the live daemons")
        let cli = try await runCommand(Binaries.url("brain"), ["status", "--socket", first.socketPath])
        #expect(cli.stdout.contains("daemons   2 live on this database: pid \(second.pid) on"), "\(cli.stdout)")
        // /metrics labels a daemon's own work with its id; what it reads from the database is the same everywhere.
        let metrics = String(decoding: try await second.client.raw(.GET, "/metrics").body, as: UTF8.self).split(separator: "\n")
        let secondID = "\(ProcessInfo.processInfo.hostName):\(second.socketPath)"
        #expect(metrics.contains { $0.hasPrefix("braind_saves_total{") && $0.contains(#"daemon="\#(secondID)""#) }, "\(metrics)")
        #expect(metrics.contains { $0.hasPrefix("braind_rows_live{") && !$0.contains("daemon=") })
        #expect(metrics.contains { $0.hasPrefix("braind_daemons_live 2") }, "\(metrics.filter { $0.hasPrefix("braind_daemons") })")
        try await second.stop()
        try await first.stop()
        #expect(try await elsewhere.liveDaemons()?.isEmpty == true, "a clean stop leaves the cluster view at once")
        await elsewhere.close()
    }

    @Test("POST /v1/reconcile sent to two daemons on one database at the same moment starts one run, which both report")
    func oneReconcileAcrossDaemons() async throws {
        let fake = FakeMem0Server(configuration: .init(settings: FakeMem0Settings(latency: .milliseconds(50))))
        try await fake.start()
        let environment = ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString]
        let directory = try makeShortTemporaryDirectory()
        let first = try await DaemonProcess(directory: directory, environment: environment)
        defer { first.removeDirectory() }
        let second = try await DaemonProcess(directory: directory, socketName: "second.sock", environment: environment)
        // Enough entities that a run lasts while the second request arrives.
        for owner in 0..<20 {
            _ = try await first.client.save(.company, owner: "\(30_000_000 + owner)-\(RUT.checkDigit(forBody: String(30_000_000 + owner)))", memories: [MemoryInput(slug: "a", content: "x")])
        }
        async let one = first.client.startReconcile(ReconcileOptions())
        async let two = second.client.startReconcile(ReconcileOptions())
        let (a, b) = try await (one, two)
        #expect(a.runID == b.runID, "both daemons answer with the same run")
        var runs: [ReconcileReport] = []
        for _ in 0..<600 {
            runs = try await second.client.reconcileRuns(limit: 10)
            if runs.allSatisfy({ $0.status != "running" }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(runs.count == 1, "one run stored: \(runs.map(\.runID))")
        #expect(try await first.client.lastReconcile().runID == a.runID, "a run started on one daemon is visible from the other")
        try await second.stop()
        try await first.stop()
        await fake.stop()
    }

    @Test("A 429 seen by one daemon pauses every daemon on the database: one Mem0 budget")
    func aRateLimitSlowsEveryDaemon() async throws {
        let fake = FakeMem0Server()
        try await fake.start()
        let environment = ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString]
        let directory = try makeShortTemporaryDirectory()
        let config = directory + "/braind.toml"
        try "[sync]\nbackoff_cap_seconds = 30\n".write(toFile: config, atomically: true, encoding: .utf8)
        let first = try await DaemonProcess(directory: directory, extraArguments: ["--config", config], environment: environment)
        defer { first.removeDirectory() }
        let second = try await DaemonProcess(directory: directory, socketName: "second.sock", extraArguments: ["--config", config], environment: environment)
        await fake.injectFault(FakeMem0Fault(.status(429, retryAfter: "20"), route: .add, count: 1))
        _ = try await first.client.save(.company, owner: "12.345.678-5", memories: [MemoryInput(slug: "a", content: "x")])
        var paused: [Bool] = [false, false]
        for _ in 0..<200 where paused.contains(false) {
            try await Task.sleep(for: .milliseconds(50))
            paused = [try await first.client.status().mem0.pausedUntil != nil, try await second.client.status().mem0.pausedUntil != nil]
        }
        #expect(paused == [true, true], "both daemons wait for Mem0 after one of them met the 429")
        #expect(await fake.requestCount(.add) == 1, "no daemon calls Mem0 during the pause")
        try await second.stop()
        try await first.stop()
        await fake.stop()
    }

    @Test("brain backup on PostgreSQL refuses and shows the pg_dump command, without the password")
    func backupPointsToPGDump() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let result = try await runCommand(Binaries.url("brain"), ["backup", daemon.directory + "/copy.dump", "--socket", daemon.socketPath])
        #expect(result.status != 0)
        #expect(result.stderr.contains("pg_dump --format=custom --file=\(daemon.directory)/copy.dump"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: daemon.directory + "/copy.dump"))
        try await daemon.stop()
    }
}
