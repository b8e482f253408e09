import BrainCore
import BrainServer
import BrainTestSupport
import FakeMem0
import Foundation
import Synchronization
import Testing

// The proofs' own daemon wrapper (kill -9 cycles need pid and stop reporting); binaries,
// temporary directories and commands come from BrainTestSupport.

/// A real `braind` process on a temporary socket and database.
final class ProofDaemon: @unchecked Sendable {
    let directory: String
    let socketPath: String
    let databasePath: String
    let process = Process()
    /// braind's stderr goes to a file: a pipe nobody drains would block a chatty daemon.
    let logPath: String

    /// Starts braind and waits until it answers a ping.
    /// - Parameters:
    ///   - directory: reuse a directory (and so its database) of an earlier run.
    ///   - socketName: the socket's file name in `run/`; a new name gives `DaemonClient` a new
    ///     connection pool (see `ClientRestartTests` for why that matters after a `kill -9`).
    init(
        directory: String? = nil, socketName: String = "braind.sock", logLevel: String = "info", extraArguments: [String] = [],
        environment: [String: String] = [:], readyWithin: Duration = .seconds(30)
    ) async throws {
        self.directory = try directory ?? makeShortTemporaryDirectory()
        socketPath = self.directory + "/run/" + socketName
        databasePath = self.directory + "/data/brain.sqlite"
        logPath = self.directory + "/braind-\(UUID().uuidString.prefix(8)).log"
        process.executableURL = Binaries.url("braind")
        process.arguments = ["--socket", socketPath, "--db", databasePath, "--log-level", logLevel] + extraArguments
        process.environment = Self.environment(directory: self.directory, extra: environment)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try log.close()
        do {
            try await waitUntilReady(within: readyWithin)
        } catch {
            killIfRunning()
            throw error
        }
    }

    /// The test runner's environment without anything that would point braind elsewhere.
    static func environment(directory: String, extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in ["MEM0_API_KEY", "MEM0_BASE_URL", "BRAIND_CONFIG", "BRAIND_SOCKET", "BRAIND_DB", "BRAIND_LOG_LEVEL"] {
            env.removeValue(forKey: name)
        }
        env["XDG_CONFIG_HOME"] = directory + "/no-config"
        return env.merging(extra) { $1 }
    }

    var client: DaemonClient { DaemonClient(socketPath: socketPath, timeout: .seconds(30)) }

    var pid: Int32 { process.processIdentifier }

    /// Waits until braind answers `GET /v1/ping` on a fresh raw connection. The raw client keeps
    /// readiness independent of `DaemonClient`'s shared connection pool.
    private func waitUntilReady(within: Duration) async throws {
        let deadline = ContinuousClock.now + within
        let ping = RawUnixSocket.request("GET", "/v1/ping")
        while ContinuousClock.now < deadline {
            if RawUnixSocket.exchange(path: socketPath, request: ping, timeout: .seconds(2)).status == 200 { return }
            guard process.isRunning else { throw DaemonError.exited(stderr: readStderr()) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DaemonError.notReady(stderr: readStderr())
    }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw DaemonError.didNotExit }
            try await Task.sleep(for: .milliseconds(5))
        }
        return process.terminationStatus
    }

    /// Sends SIGTERM and waits up to `within` for braind to exit, printing how long it took and,
    /// if it did not exit, the end of its log. Returns whether it exited.
    @discardableResult
    func stopReporting(_ label: String, within: Duration = .seconds(20)) async throws -> Bool {
        let started = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning, ContinuousClock.now - started < within {
            try await Task.sleep(for: .milliseconds(5))
        }
        let took = ContinuousClock.now - started
        if process.isRunning {
            print("[\(label)] braind did not exit within \(within) of SIGTERM; last log lines:")
            for line in readStderr().split(separator: "\n").suffix(40) { print("[\(label)]   \(line.prefix(400))") }
            return false
        }
        print("[\(label)] braind exited \(took) after SIGTERM with status \(process.terminationStatus)")
        return true
    }

    /// Everything braind wrote to stderr so far.
    func readStderr() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Kills braind with SIGKILL if it still runs (cleanup after a failed test), keeping its files.
    func killIfRunning() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func removeDirectory() {
        killIfRunning()
        try? FileManager.default.removeItem(atPath: directory)
    }

    enum DaemonError: Error {
        case exited(stderr: String)
        case notReady(stderr: String)
        case didNotExit
    }
}

/// Polls `condition` until it holds or `within` passes; returns its last value.
func waitFor(within: Duration = .seconds(20), every: Duration = .milliseconds(50), _ condition: () async throws -> Bool)
    async throws -> Bool
{
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try await Task.sleep(for: every)
    }
    return (try? await condition()) == true
}

// MARK: - Owners, PRNG and tallies

/// A valid RUT (body plus its modulo-11 check digit) for a numeric body.
func validRUT(body: Int) -> String {
    let text = String(body)
    return text + "-" + String(RUT.checkDigit(forBody: text))
}

/// The normalized form of `validRUT(body:)`: digits plus a lowercase check digit.
func normalizedRUT(body: Int) -> String {
    let text = String(body)
    return text + String(RUT.checkDigit(forBody: text)).lowercased()
}

/// A small deterministic generator (SplitMix64), so that every proof can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How the remote memories relate to the local rows: the duplicate count is the number of extra
/// remote memories carrying a `metadata.record_id` that another remote memory also carries.
struct RemoteTally: CustomStringConvertible {
    /// Remote memories in total.
    var remote = 0
    /// Remote memories without a `record_id` (foreign to braind).
    var withoutRecordID = 0
    /// Distinct `record_id` values seen remotely.
    var distinctRecordIDs = 0
    /// Remote memories beyond the first for each `record_id`.
    var duplicates = 0
    /// `record_id` values carried by more than one remote memory.
    var duplicatedRecords = 0
    /// Local rows with no remote memory carrying their id.
    var missing = 0
    /// Remote memories whose `record_id` is no local row.
    var orphans = 0
    /// Local rows whose remote memory (the one braind points at) has other text.
    var contentMismatches = 0

    init(remote memories: [FakeMemory], local rows: [Memory]) {
        remote = memories.count
        var byRecord: [String: [FakeMemory]] = [:]
        for memory in memories {
            guard let recordID = memory.metadata?["record_id"]?.stringValue else {
                withoutRecordID += 1
                continue
            }
            byRecord[recordID, default: []].append(memory)
        }
        distinctRecordIDs = byRecord.count
        duplicates = byRecord.values.reduce(0) { $0 + max(0, $1.count - 1) }
        duplicatedRecords = byRecord.values.count { $0.count > 1 }
        let localIDs = Set(rows.map(\.id))
        missing = rows.count { byRecord[$0.id] == nil }
        orphans = byRecord.keys.count { !localIDs.contains($0) }
        let remoteByID = Dictionary(memories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        contentMismatches = rows.count { row in
            guard let memoryID = row.memoryID, let remote = remoteByID[memoryID] else { return true }
            return remote.memory != row.content
        }
    }

    var description: String {
        "remote=\(remote) distinct_record_ids=\(distinctRecordIDs) duplicates=\(duplicates) "
            + "(records_duplicated=\(duplicatedRecords)) missing=\(missing) orphans=\(orphans) "
            + "content_mismatches=\(contentMismatches) without_record_id=\(withoutRecordID)"
    }
}

extension DaemonClient {
    /// Every live memory of one owner, following `next_cursor`.
    func allMemories(_ brain: BrainKind, owner: String) async throws -> [Memory] {
        var memories: [Memory] = []
        var cursor: String?
        repeat {
            let page = try await list(brain, owner: owner, limit: 1_000, cursor: cursor)
            memories += page.memories
            cursor = page.nextCursor
        } while cursor != nil
        return memories
    }

    /// Starts a reconcile run and polls it until it is no longer running.
    func reconcileToEnd(_ options: ReconcileOptions = ReconcileOptions(), within: Duration = .seconds(60)) async throws
        -> ReconcileReport
    {
        var report = try await startReconcile(options)
        let deadline = ContinuousClock.now + within
        while report.status == "running", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            report = try await reconcileRun(id: report.runID)
        }
        return report
    }
}

/// Writes a TOML configuration file and returns its path.
func writeConfiguration(_ text: String, in directory: String, name: String = "braind.toml") throws -> String {
    let path = directory + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The proofs share the machine's two cores and time the daemon, so they never run at the same
/// time as each other: `.serialized` on this parent suite applies to every suite nested in it.
@Suite(.serialized)
enum Proofs {}

/// A flag one task raises and others poll.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .sequentiallyConsistent) }

    var isRaised: Bool { raised.load(ordering: .sequentiallyConsistent) }
}
