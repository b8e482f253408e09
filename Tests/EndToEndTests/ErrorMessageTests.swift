import BrainTestSupport
import Foundation
import Testing

/// Every failure a person meets says what is wrong and what to do: `Error: ...` then `Try: ...`
/// from `brain`, `braind: error: ...` then `Try: ...` from the daemon, never a raw error dump.
@Suite(.timeLimit(.minutes(2)))
struct ErrorMessageTests {
    let brain = Binaries.url("brain")
    let braind = Binaries.url("braind")

    /// A socket path of `length` bytes under a fresh directory.
    func longSocketPath(_ directory: String, length: Int = 120) -> String {
        let prefix = directory + "/"
        return prefix + String(repeating: "s", count: length - prefix.utf8.count)
    }

    // MARK: - brain, reaching the socket

    @Test("A socket path over 107 bytes is named as too long, not as braind not running")
    func clientSocketPathTooLong() async throws {
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let run = try await runCommand(brain, ["ping", "--socket", longSocketPath(directory)])

        #expect(run.status == 1)
        #expect(!run.stderr.contains("not running"), "\(run.stderr)")
        #expect(run.stderr.contains("120 bytes") && run.stderr.contains("107"), "\(run.stderr)")
        #expect(run.stderr.contains("\nTry: "), "\(run.stderr)")
    }

    @Test("A user without permission on the socket is told so, not that braind is not running")
    func clientPermissionDenied() async throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        // braind's directories are 0700: another user cannot reach its socket.
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }

        let run = try await runCommand(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            ["--reuid=65534", "--regid=65534", "--clear-groups", brain.path, "ping", "--socket", daemon.socketPath])

        #expect(run.status == 1)
        #expect(!run.stderr.contains("not running"), "\(run.stderr)")
        #expect(run.stderr.contains("permission"), "\(run.stderr)")
        #expect(run.stderr.contains("\nTry: "), "\(run.stderr)")
        try await daemon.stop()
    }

    // MARK: - brain, answers from braind

    @Test("Validation errors point to the help of the command that was run", arguments: [
        (["list", "company", "12.345.678-5", "--limit", "0"], "brain list --help"),
        (["search", "company", "12.345.678-5", "regimen", "--limit", "0"], "brain search --help"),
    ])
    func validationHintNamesCommand(arguments: [String], help: String) async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        _ = try await daemon.client.save(.company, owner: "12.345.678-5", memories: [.init(slug: "nota", content: "Dato")])

        let run = try await runCommand(brain, arguments + ["--socket", daemon.socketPath])

        #expect(run.status == 1)
        #expect(run.stderr.contains("Try: ") && run.stderr.contains(help), "\(run.stderr)")
        #expect(!run.stderr.contains("brain save --help"), "\(run.stderr)")
        try await daemon.stop()
    }

    @Test("A body over the limit (413) says how to get under it")
    func bodyTooLargeHint() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let file = daemon.directory + "/big.json"
        let content = String(repeating: "x", count: 30_000)
        let items = (0..<60).map { #"{"slug":"s\#($0)","content":"\#(content)"}"# }.joined(separator: ",")
        try #"{"memories":[\#(items)]}"#.write(toFile: file, atomically: true, encoding: .utf8)

        let run = try await runCommand(brain, ["save", "company", "12.345.678-5", "--file", file, "--socket", daemon.socketPath])

        #expect(run.status == 1)
        #expect(run.stderr.contains("HTTP 413"), "\(run.stderr)")
        #expect(run.stderr.contains("\nTry: ") && run.stderr.contains("max_body_bytes"), "\(run.stderr)")
        try await daemon.stop()
    }

    // MARK: - braind at start

    @Test("braind refuses a socket path over 107 bytes with a message and a hint")
    func daemonSocketPathTooLong() async throws {
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let run = try await runCommand(
            braind, ["--socket", longSocketPath(directory), "--db", directory + "/brain.sqlite"],
            environment: isolatedEnvironment(directory: directory))

        #expect(run.status != 0)
        #expect(!run.stderr.contains("unixDomainSocketPathTooLong"), "\(run.stderr)")
        #expect(run.stderr.contains("120 bytes") && run.stderr.contains("107"), "\(run.stderr)")
        #expect(run.stderr.contains("\nTry: "), "\(run.stderr)")
    }

    @Test("braind names the database it cannot open")
    func daemonDatabaseUnopenable() async throws {
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A directory where the database file should be: SQLite cannot open it (error 14).
        let database = directory + "/brain.sqlite"
        try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: false)

        let run = try await runCommand(
            braind, ["--socket", directory + "/braind.sock", "--db", database], environment: isolatedEnvironment(directory: directory))

        #expect(run.status != 0)
        #expect(run.stderr.contains("braind: error: ") && run.stderr.contains(database), "\(run.stderr)")
        #expect(run.stderr.contains("\nTry: "), "\(run.stderr)")
    }

    @Test("braind says which data directory it cannot create, without a Foundation error dump")
    func daemonDataDirectoryUncreatable() async throws {
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Nothing can create directories under /proc, not even root.
        let database = "/proc/braind-test/data/brain.sqlite"

        let run = try await runCommand(
            braind, ["--socket", directory + "/braind.sock", "--db", database], environment: isolatedEnvironment(directory: directory))

        #expect(run.status != 0)
        #expect(run.stderr.contains("braind: error: ") && run.stderr.contains("/proc/braind-test/data"), "\(run.stderr)")
        #expect(!run.stderr.contains("Error Domain") && !run.stderr.contains("NSCocoaErrorDomain"), "\(run.stderr)")
        #expect(run.stderr.contains("\nTry: "), "\(run.stderr)")
    }
}
