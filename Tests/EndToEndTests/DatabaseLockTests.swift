import BrainCore
import BrainStoreSQLite
import BrainTestSupport
import Foundation
import Testing

/// One daemon per database: a second braind on the same `--db` (on another socket) must not start,
/// or it would put the first one's in-flight pushes back in the queue and Mem0 would get duplicates.
@Suite(.timeLimit(.minutes(2)), .enabled(if: TestStoreKind.current == .sqlite, "the SQLite file lock; the PostgreSQL daemon lock has its own test"))
struct DatabaseLockTests {
    @Test("A second braind on the same database is refused, names the holder's pid, and leaves in-flight rows alone")
    func secondDaemonOnSameDatabase() async throws {
        let directory = try makeShortTemporaryDirectory()
        let databasePath = directory + "/data/brain.sqlite"
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        // A row whose push is in flight, as the first daemon's push worker would leave it mid-call.
        let seed = try BrainDatabase(path: databasePath)
        _ = try await seed.save(.company, owner: try OwnerReference("12.345.678-5"), memories: [MemoryInput(slug: "a", content: "x")])
        #expect(try await seed.claimPushTasks(limit: 10).count == 1)
        try seed.close()

        let first = try await DaemonProcess(directory: directory)
        defer { first.removeDirectory() }
        // With a key the second daemon has a push worker, which recovers in-flight rows at start.
        let second = try await runRefusedBraind(
            ["--socket", directory + "/run/second.sock", "--db", databasePath],
            environment: ["MEM0_API_KEY": "test-key", "MEM0_BASE_URL": "http://127.0.0.1:9"])
        #expect(second.status != nil && second.status != 0, "the second braind kept running")
        let refusal = second.stderr.split(separator: "\n").filter { $0.contains("pid \(first.pid)") && $0.contains(databasePath) }
        #expect(refusal.count == 1, "one line names the database and the holder: \(second.stderr)")
        #expect(try await first.client.status().brains["company"]?.inFlight == 1, "the first daemon's in-flight push was taken back")
        #expect(try await first.client.ping().ok)
        try await first.stop()
    }

    @Test("The database lock is released at exit: the next braind on the same database starts")
    func lockReleasedOnExit() async throws {
        let first = try await DaemonProcess()
        defer { first.removeDirectory() }
        try await first.stop()
        let next = try await DaemonProcess(directory: first.directory, socketName: "next.sock")
        #expect(try await next.client.ping().ok)
        try await next.stop()
    }
}
