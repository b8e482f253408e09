import BrainServer
import Foundation

/// Where `swift build` put the executables under test (next to the test bundle).
public enum Binaries {
    public static let directory: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("braind").path) }
            ?? candidates[0]
    }()

    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

/// A short private temporary directory: socket paths must stay under 108 bytes.
public func makeShortTemporaryDirectory() throws -> String {
    var template = Array("/tmp/bd-XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { throw POSIXError(.EIO) }
    return String(cString: path)
}

/// The environment of a child process under test: nothing that would point it at a Mem0, a user
/// configuration, another socket or database, or a token.
public func isolatedEnvironment(directory: String) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    for key in [
        "MEM0_API_KEY", "MEM0_BASE_URL", "BRAIND_CONFIG", "BRAIND_SOCKET", "BRAIND_DB", "BRAIND_LOG_LEVEL", "BRAIN_TOKEN",
        "MEM0_WEBHOOK_SECRET", "BRAIND_WEBHOOKS_LISTEN",
    ] {
        env.removeValue(forKey: key)
    }
    env["XDG_CONFIG_HOME"] = directory + "/no-config"
    return env
}

/// A real `braind` process on a temporary socket and database.
public final class DaemonProcess: @unchecked Sendable {
    public let directory: String
    public let socketPath: String
    /// The `--db` braind got: a SQLite file in `directory`, or a PostgreSQL database's URL.
    public let databasePath: String
    public let process: ChildProcess
    /// braind's stderr goes to a file: a pipe nobody drains would block a chatty daemon.
    public let logPath: String

    /// Starts braind and waits until it answers a ping.
    /// - Parameters:
    ///   - directory: reuse a directory (and so its database) of an earlier run.
    ///   - socketName: the socket's file name in `run/`; a new name gives `DaemonClient` a new
    ///     connection pool (see `ClientRestartTests` for why that matters after a `kill -9`).
    ///   - readyWithin: how long a start may take (a loaded machine replaying a big journal).
    ///   - launcher: a command that execs braind with its arguments appended, such as
    ///     `["/usr/bin/prlimit", "--nofile=256:256", "--"]`; it must exec, so the pid stays braind's.
    public init(
        directory: String? = nil, socketName: String = "braind.sock", logLevel: String = "debug",
        extraArguments: [String] = [], environment: [String: String] = [:], readyWithin: Duration = .seconds(30),
        launcher: [String] = []
    ) async throws {
        self.directory = try directory ?? makeShortTemporaryDirectory()
        socketPath = self.directory + "/run/" + socketName
        databasePath = try await TestStores.databaseArgument(directory: self.directory)
        logPath = self.directory + "/braind-\(UUID().uuidString.prefix(8)).log"
        let arguments = ["--socket", socketPath, "--db", databasePath, "--log-level", logLevel] + extraArguments
        let command = launcher.isEmpty ? [Binaries.url("braind").path] + arguments : launcher + [Binaries.url("braind").path] + arguments
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process = try ChildProcess(
            executable: command[0], arguments: Array(command.dropFirst()),
            environment: isolatedEnvironment(directory: self.directory).merging(environment) { $1 },
            stderr: .descriptor(log.fileDescriptor))
        try log.close()
        do {
            try await waitUntilReady(within: readyWithin)
        } catch {
            // Nobody will hold this object to stop it: a daemon that never got ready must not
            // outlive its test.
            killIfRunning()
            throw error
        }
    }

    deinit { killIfRunning() }

    /// A client on the daemon's socket. The timeout is generous: it only ends a test that is
    /// already failing, and a soak on a loaded machine can take seconds per answer.
    public var client: DaemonClient { DaemonClient(socketPath: socketPath, timeout: .seconds(30)) }

    public var pid: Int32 { process.processIdentifier }

    /// Waits until braind answers `GET /v1/ping` on a fresh raw connection. The raw client keeps
    /// readiness independent of `DaemonClient`'s shared connection pool.
    private func waitUntilReady(within: Duration) async throws {
        let deadline = ContinuousClock.now + within
        let ping = RawUnixSocket.request("GET", "/v1/ping")
        while ContinuousClock.now < deadline {
            if await RawUnixSocket.exchangeOffPool(path: socketPath, request: ping, timeout: .seconds(2)).status == 200 { return }
            guard process.isRunning else { throw DaemonError.exited(stderr: readStderr()) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DaemonError.notReady(stderr: readStderr())
    }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
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
    public func stopReporting(_ label: String, within: Duration = .seconds(20)) async throws -> Bool {
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
    public func readStderr() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Kills braind with SIGKILL if it still runs (cleanup after a failed test), keeping its files.
    public func killIfRunning() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func removeDirectory() {
        killIfRunning()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public enum DaemonError: Error {
        case exited(stderr: String)
        case notReady(stderr: String)
        case didNotExit
    }
}

/// Runs a command to completion and returns its exit status and outputs.
///
/// The wait happens on a Dispatch thread: a command that talks to braind, which talks to a
/// fake-mem0 in this process, would otherwise hold one of the two cooperative threads the fake
/// needs to answer.
public func runCommand(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil)
    async throws -> (status: Int32, stdout: String, stderr: String)
{
    try await runCommand(executable, arguments, exactEnvironment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, stdin: stdin)
}

/// `runCommand` with exactly this environment, nothing inherited.
public func runCommand(_ executable: URL, _ arguments: [String], exactEnvironment: [String: String], stdin: String? = nil)
    async throws -> (status: Int32, stdout: String, stderr: String)
{
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result {
                try runCommandBlocking(executable, arguments, environment: exactEnvironment, stdin: stdin)
            })
        }
    }
}

private func runCommandBlocking(_ executable: URL, _ arguments: [String], environment: [String: String], stdin: String?)
    throws -> (status: Int32, stdout: String, stderr: String)
{
    let out = try CloseOnExecPipe()
    let err = try CloseOnExecPipe()
    let input = try CloseOnExecPipe()
    let process = try ChildProcess(
        executable: executable.path, arguments: arguments,
        environment: environment,
        stdin: .descriptor(input.read), stdout: .descriptor(out.write), stderr: .descriptor(err.write))
    // The child holds its own copies; the parent's ends it does not use go now, so reads see EOF.
    input.closeRead()
    out.closeWrite()
    err.closeWrite()
    if let stdin { input.writeAll(Data(stdin.utf8)) }
    input.closeWrite()
    // Drain stderr on another thread, so a chatty command cannot block on a full stderr pipe.
    let stderrBox = DataBox()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        stderrBox.data = err.readToEnd()
        group.leave()
    }
    let stdoutData = out.readToEnd()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrBox.data, as: UTF8.self))
}

/// A cell written by one thread and read after a `DispatchGroup.wait()`.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
