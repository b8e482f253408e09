import BrainCore
import BrainStoreSQLite
import BrainServer
import BrainTestSupport
import Foundation
import Synchronization
import Testing

/// `brain backup` while braind serves saves, `braind restore` into a new daemon, every row compared.
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: TestStoreKind.current == .sqlite, "brain backup and braind restore copy the SQLite file; on PostgreSQL brain backup points to pg_dump (ServiceEndToEndTests)"))
struct BackupEndToEndTests {
    /// Every live memory of a database file as export lines, read from a private copy (opening a
    /// file with `BrainDatabase` migrates it; the backup itself stays untouched).
    static func exportOfFile(_ path: String) async throws -> String {
        let copy = path + ".read-\(UUID().uuidString.prefix(6))"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) } }
        let database = try BrainDatabase(path: copy)
        defer { try? database.close() }
        let exporter = try database.makeExporter()
        var bytes: [UInt8] = []
        while true {
            let page = try await exporter.nextPage()
            if page.isEmpty { break }
            for line in page { line.write(into: &bytes) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A daemon's export, through the API.
    static func exportOfDaemon(_ daemon: DaemonProcess) async throws -> String {
        let path = daemon.directory + "/export-\(UUID().uuidString.prefix(6)).jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try await daemon.client.exportMemories(to: handle)
        try handle.close()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Saves `owners` × `perOwner` memories through the bulk path, 1,000 per request.
    static func seed(_ client: DaemonClient, owners: Int, perOwner: Int, firstBody: Int = 30_000_000) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<owners {
                let body = String(firstBody + index)
                let rut = "\(body)-\(RUT.checkDigit(forBody: body))"
                let brain: BrainKind = index % 2 == 0 ? .company : .user
                group.addTask {
                    for start in stride(from: 0, to: perOwner, by: 1_000) {
                        let memories = (start..<min(perOwner, start + 1_000)).map { n in fact(n, rut: rut) }
                        let result = try await client.save(brain, owner: rut, memories: memories)
                        guard result.failedCount == 0 else { throw DaemonClientError.unexpectedAnswer("\(result.errors.prefix(3))") }
                    }
                }
                // Four owners at a time: enough to share commits, few enough for the client's pool.
                if index >= 3 { _ = try await group.next() }
            }
            try await group.waitForAll()
        }
    }

    @Test("A backup under load holds every save acknowledged before it, and a restored daemon holds exactly the backup")
    func backupUnderLoadThenRestore() async throws {
        // Given a daemon with 20,000 memories and savers writing during the backup
        let daemon = try await DaemonProcess(logLevel: "info")
        defer { daemon.removeDirectory() }
        try await Self.seed(daemon.client, owners: 20, perOwner: 1_000)
        let log = SaveLog()
        let client = daemon.client
        let savers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for saver in 0..<4 {
                    group.addTask {
                        var n = 0
                        while !log.isStopped {
                            let slug = "live_\(saver)_\(n)"
                            let started = ContinuousClock.now
                            _ = try await client.save(.user, owner: "11.111.111-1", memories: [MemoryInput(slug: slug, content: "v\(n)")])
                            log.record(slug: slug, started: started, acknowledged: ContinuousClock.now)
                            n += 1
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Some saves acknowledged before the backup starts, however loaded the machine.
        let deadline = ContinuousClock.now + .seconds(30)
        while log.count < 20 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }

        // When brain backup runs
        let file = daemon.directory + "/backup.sqlite"
        let backupStarted = ContinuousClock.now
        let backup = try await runCommand(Binaries.url("brain"), ["backup", file, "--socket", daemon.socketPath])
        let backupEnded = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(200))
        log.stop()
        try await savers.value

        // Then the backup succeeded, and every save acknowledged before it started is in it
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("integrity ok"), "\(backup.stdout)")
        let inBackup = try await Self.exportOfFile(file)
        let acknowledgedBefore = log.slugs(acknowledgedBefore: backupStarted)
        #expect(!acknowledgedBefore.isEmpty)
        let liveSlugs = Set(try inBackup.split(separator: "\n").filter { $0.contains(#""owner":"111111111""#) }.map { line in
            try JSONDecoder().decode([String: JSONValue].self, from: Data(line.utf8))["slug"]?.stringValue ?? ""
        })
        let missing = acknowledgedBefore.filter { !liveSlugs.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) acknowledged saves missing from the backup, e.g. \(missing.prefix(3))")
        let during = log.latencies(between: backupStarted, and: backupEnded)
        let before = log.latencies(between: backupStarted - .seconds(10), and: backupStarted)
        print("[backup] \(inBackup.split(separator: "\n").count) memories in \(backupEnded - backupStarted); saves during it: \(during.count), p50 \(percentile(during, 0.5)) ms, p99 \(percentile(during, 0.99)) ms, max \(percentile(during, 1)) ms; before it: p50 \(percentile(before, 0.5)) ms, max \(percentile(before, 1)) ms")
        try await daemon.stop()

        // When the backup is restored into a new daemon's place
        let restoredDirectory = try makeShortTemporaryDirectory()
        let restore = try await runCommand(
            Binaries.url("braind"),
            ["restore", file, "--db", restoredDirectory + "/data/brain.sqlite", "--socket", restoredDirectory + "/run/braind.sock"],
            environment: isolatedEnvironment(directory: restoredDirectory))
        #expect(restore.status == 0, "\(restore.stderr)")
        let restored = try await DaemonProcess(directory: restoredDirectory, logLevel: "info")
        defer { restored.removeDirectory() }

        // Then it holds exactly the backup's rows
        let fromRestored = try await Self.exportOfDaemon(restored)
        #expect(fromRestored == inBackup)
        try await restored.stop()
        let backupFacts = try DatabaseInspection.inspect(path: file)
        var restoredFacts = try DatabaseInspection.inspect(path: restored.databasePath)
        restoredFacts.path = backupFacts.path
        restoredFacts.bytes = backupFacts.bytes
        #expect(restoredFacts == backupFacts)
    }

    @Test("braind restore refuses while braind runs on the socket, and refuses a file that is not a database")
    func restoreRefuses() async throws {
        let daemon = try await DaemonProcess(logLevel: "info")
        defer { daemon.removeDirectory() }
        let file = daemon.directory + "/backup.sqlite"
        #expect(try await runCommand(Binaries.url("brain"), ["backup", file, "--socket", daemon.socketPath]).status == 0)

        let running = try await runCommand(
            Binaries.url("braind"), ["restore", file, "--db", daemon.databasePath, "--socket", daemon.socketPath],
            environment: isolatedEnvironment(directory: daemon.directory))
        #expect(running.status == 1)
        #expect(running.stderr.contains("braind is running"), "\(running.stderr)")
        #expect(running.stderr.contains("Try: stop it first"), "\(running.stderr)")

        let again = try await runCommand(Binaries.url("brain"), ["backup", file, "--socket", daemon.socketPath])
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists"), "\(again.stderr)")

        try await daemon.stop()
        let text = daemon.directory + "/notes.txt"
        _ = FileManager.default.createFile(atPath: text, contents: Data("not a database".utf8))
        let refused = try await runCommand(
            Binaries.url("braind"), ["restore", text, "--db", daemon.databasePath, "--socket", daemon.socketPath],
            environment: isolatedEnvironment(directory: daemon.directory))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is not a SQLite database"), "\(refused.stderr)")
    }
}

/// Memory `n` of an owner: some without a category, some with metadata, content with quotes,
/// accents and a newline, so the export's escaping is exercised.
private func fact(_ n: Int, rut: String) -> MemoryInput {
    let category: String? = n % 3 == 0 ? nil : "cat_\(n % 7)"
    let metadata: JSONValue? = n % 5 == 0 ? .object(["n": .int(Int64(n)), "tag": .string("t\(n % 4)")]) : nil
    let content = "Dato \(n) de \(rut): \"año\" \(n * 7)\nlínea 2"
    return MemoryInput(slug: "fact_\(n)", category: category, content: content, metadata: metadata)
}

/// Saves acknowledged by the savers, with their start and acknowledgement times.
final class SaveLog: Sendable {
    private let entries = Mutex<[(slug: String, started: ContinuousClock.Instant, acknowledged: ContinuousClock.Instant)]>([])
    private let stopped = Atomic(false)

    var isStopped: Bool { stopped.load(ordering: .relaxed) }
    var count: Int { entries.withLock { $0.count } }
    func stop() { stopped.store(true, ordering: .relaxed) }

    func record(slug: String, started: ContinuousClock.Instant, acknowledged: ContinuousClock.Instant) {
        entries.withLock { $0.append((slug, started, acknowledged)) }
    }

    func slugs(acknowledgedBefore instant: ContinuousClock.Instant) -> [String] {
        entries.withLock { $0.filter { $0.acknowledged < instant }.map(\.slug) }
    }

    /// Milliseconds of the saves that started in the window.
    func latencies(between start: ContinuousClock.Instant, and end: ContinuousClock.Instant) -> [Double] {
        entries.withLock { entries in
            entries.filter { $0.started >= start && $0.started <= end }.map { ($0.acknowledged - $0.started).seconds * 1_000 }.sorted()
        }
    }
}

/// The value at fraction `p` of sorted values, rounded to 0.1 ms.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return (sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))] * 10).rounded() / 10
}
