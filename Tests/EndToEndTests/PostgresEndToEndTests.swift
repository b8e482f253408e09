import BrainCore
import BrainStorePostgres
import BrainTestSupport
import Foundation
import Testing

/// One daemon per PostgreSQL database, as per SQLite file: a second braind on the same database
/// would put the first one's in-flight pushes back in the queue and Mem0 would get duplicates.
@Suite(.timeLimit(.minutes(2)), .enabled(if: TestStoreKind.current == .postgresql, "what only a PostgreSQL store does: its daemon lock, its backups"))
struct PostgresEndToEndTests {
    @Test("A second braind on the same PostgreSQL database is refused, names the holder, and leaves in-flight rows alone")
    func secondDaemonOnSameDatabase() async throws {
        let directory = try makeShortTemporaryDirectory()
        let url = try await TestStores.databaseArgument(directory: directory)
        // A row whose push is in flight, as the first daemon's push worker would leave it mid-call.
        let seed = try await PostgresStore.open(url: try PostgresURL(url))
        _ = try await seed.save(.company, owner: try OwnerReference("12.345.678-5"), memories: [MemoryInput(slug: "a", content: "x")])
        #expect(try await seed.claimPushTasks(limit: 10).count == 1)
        await seed.close()

        let first = try await DaemonProcess(directory: directory)
        defer { first.removeDirectory() }
        let second = try await runRefusedBraind(
            ["--socket", directory + "/run/second.sock", "--db", url],
            environment: ["MEM0_API_KEY": "test-key", "MEM0_BASE_URL": "http://127.0.0.1:9"])
        #expect(second.status != nil && second.status != 0, "the second braind kept running")
        let refusal = second.stderr.split(separator: "\n").filter { $0.contains("in use by another braind (pid \(first.pid) on") }
        #expect(refusal.count == 1, "one line names the holder: \(second.stderr)")
        #expect(try await first.client.status().brains["company"]?.inFlight == 1, "the first daemon's in-flight push was taken back")
        try await first.stop()

        // The lock ends with the first daemon's session: the next braind starts.
        let next = try await DaemonProcess(directory: directory)
        #expect(try await next.client.ping().ok)
        try await next.stop()
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
