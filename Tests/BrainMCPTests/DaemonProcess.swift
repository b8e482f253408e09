import BrainServer
import Foundation

// A copy of the helpers in Tests/EndToEndTests/DaemonProcess.swift (a test target cannot import
// another), trimmed to what these tests use.

/// Where `swift build` put the executables under test (next to the test bundle).
enum Binaries {
    static let directory: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("braind").path) }
            ?? candidates[0]
    }()

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

/// A short private temporary directory: socket paths must stay under 108 bytes.
func makeShortTemporaryDirectory() throws -> String {
    var template = Array("/tmp/bd-XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { throw POSIXError(.EIO) }
    return String(cString: path)
}

/// The environment of a child process under test: no Mem0 key, no user configuration.
func isolatedEnvironment(directory: String) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    for key in ["MEM0_API_KEY", "BRAIND_CONFIG", "BRAIND_SOCKET"] { env.removeValue(forKey: key) }
    env["XDG_CONFIG_HOME"] = directory + "/no-config"
    return env
}

/// A real `braind` process on a temporary socket and database.
final class DaemonProcess: @unchecked Sendable {
    let directory: String
    let socketPath: String
    let databasePath: String
    let process = Process()
    /// braind's stderr goes to a file: a pipe nobody drains would block a chatty daemon.
    let logPath: String

    /// Starts braind and waits until it answers a ping.
    init() async throws {
        directory = try makeShortTemporaryDirectory()
        socketPath = directory + "/run/braind.sock"
        databasePath = directory + "/data/brain.sqlite"
        logPath = directory + "/braind.log"
        process.executableURL = Binaries.url("braind")
        process.arguments = ["--socket", socketPath, "--db", databasePath, "--log-level", "debug"]
        process.environment = isolatedEnvironment(directory: directory)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try await waitUntilReady()
    }

    var client: DaemonClient { DaemonClient(socketPath: socketPath, timeout: .seconds(10)) }

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if (try? await client.ping()) != nil { return }
            guard process.isRunning else { throw DaemonError.exited(stderr: readStderr()) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DaemonError.notReady
    }

    /// Sends SIGTERM and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop() async throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw DaemonError.didNotExit }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Everything braind wrote to stderr so far.
    func readStderr() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    func removeDirectory() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    enum DaemonError: Error {
        case exited(stderr: String)
        case notReady
        case didNotExit
    }
}
