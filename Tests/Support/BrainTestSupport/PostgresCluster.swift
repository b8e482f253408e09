import Foundation
import Synchronization

/// A PostgreSQL cluster of one test's own, for tests that stop and start the server: the shared
/// cluster of `scripts/with-postgres` must stay up for every other suite. It has the same roles
/// as that script and listens on a Unix socket in its own directory only.
public final class PostgresCluster: Sendable {
    public let root: String
    /// What braind's `--db` takes: braind_service over the cluster's socket, no password (trust).
    public let url: String
    private let bin: String
    /// The running server (runuser or postgres itself), nil while stopped.
    private let server = Mutex<ChildProcess?>(nil)
    private static let port = 54331

    /// Creates and starts the cluster with braind's roles and an empty `braind` database.
    public init() async throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last else {
            throw ClusterError.failed("no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)")
        }
        bin = "/usr/lib/postgresql/\(newest)/bin"
        root = try makeShortTemporaryDirectory()
        url = "postgresql://braind_service@/braind?host=\(root)/sock&port=\(Self.port)"
        try FileManager.default.createDirectory(atPath: root + "/sock", withIntermediateDirectories: false)
        // PostgreSQL refuses to run as root: as root, its tools run as the postgres user.
        chmod(root, 0o755)
        if getuid() == 0 {
            try await run("/bin/chown", ["-R", "postgres:postgres", root + "/sock"], asServer: false)
            try await run("/bin/chown", ["postgres:postgres", root], asServer: false)
        }
        try await run(bin + "/initdb", ["-D", root + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        try await start()
        // The roles and database scripts/with-postgres makes, from the same file, copied where
        // the postgres user (the tools' user under root) can read it.
        let roles = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../scripts/postgres-roles.sql").standardizedFileURL.path
        try FileManager.default.copyItem(atPath: roles, toPath: root + "/roles.sql")
        chmod(root + "/roles.sql", 0o644)
        try await run(bin + "/psql", ["-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", root + "/sock", "-p", "\(Self.port)", "-U", "postgres", "-d", "postgres",
                                      "-f", root + "/roles.sql"])
    }

    /// Runs `body` with a new cluster and removes the cluster afterwards, also when `body` throws.
    public static func with<T>(_ body: (PostgresCluster) async throws -> T) async throws -> T {
        let cluster = try await PostgresCluster()
        do {
            let result = try await body(cluster)
            await cluster.destroy()
            return result
        } catch {
            await cluster.destroy()
            throw error
        }
    }

    /// A cluster nobody destroyed (its test failed halfway) must not outlive the test process.
    deinit {
        guard server.withLock({ $0?.isRunning }) == true,
              let text = try? String(contentsOfFile: root + "/data/postmaster.pid", encoding: .utf8),
              let pid = text.split(separator: "\n").first.flatMap({ Int32($0) })
        else { return }
        kill(pid, SIGQUIT)
    }

    /// Starts the server and waits until it accepts connections. The server is this process's
    /// child rather than pg_ctl's daemon, so stopping it is waiting for our own child to exit.
    public func start() async throws {
        let postgres = [
            bin + "/postgres", "-D", root + "/data", "-c", "listen_addresses=", "-p", "\(Self.port)", "-k", root + "/sock",
            "-c", "fsync=off", "-c", "max_connections=100",
        ]
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + postgres : postgres
        let logPath = root + "/server.log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        let process = try ChildProcess(
            executable: command[0], arguments: Array(command.dropFirst()), environment: ProcessInfo.processInfo.environment,
            stdout: .descriptor(log.fileDescriptor), stderr: .descriptor(log.fileDescriptor))
        try log.close()
        server.withLock { $0 = process }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if (try? await run(bin + "/pg_isready", ["-q", "-h", root + "/sock", "-p", "\(Self.port)"])) != nil { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClusterError.failed("the server did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(2_000) ?? "")")
    }

    /// Stops the server the way an operator's restart does (a fast shutdown: sessions are cut,
    /// then it exits) and waits for it to be gone.
    public func stop() async throws {
        guard let process = server.withLock({ $0 }) else { return }
        let pidText = try String(contentsOfFile: root + "/data/postmaster.pid", encoding: .utf8).split(separator: "\n").first
        guard let pid = pidText.flatMap({ Int32($0) }) else { throw ClusterError.failed("no postmaster.pid") }
        kill(pid, SIGINT)
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else { throw ClusterError.failed("the server did not stop within 60 s") }
        server.withLock { $0 = nil }
    }

    /// Stops the server if it runs and removes its files.
    public func destroy() async {
        try? await stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs a tool to its end with its output in a file.
    private func run(_ tool: String, _ arguments: [String], asServer: Bool = true) async throws {
        let output = root + "/tool-output.log"
        let (status, text) = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Int32, String), any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let command = asServer && getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool] + arguments : [tool] + arguments
                    _ = FileManager.default.createFile(atPath: output, contents: nil)
                    let file = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
                    let process = try ChildProcess(
                        executable: command[0], arguments: Array(command.dropFirst()), environment: ProcessInfo.processInfo.environment,
                        stdout: .descriptor(file.fileDescriptor), stderr: .descriptor(file.fileDescriptor))
                    try file.close()
                    process.waitUntilExit()
                    return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
                })
            }
        }
        guard status == 0 else {
            let log = (try? String(contentsOfFile: root + "/server.log", encoding: .utf8)) ?? ""
            throw ClusterError.failed("\(tool) exited \(status): \(text)\n\(log.suffix(2_000))")
        }
    }

    enum ClusterError: Error, CustomStringConvertible {
        case failed(String)
        var description: String { switch self { case .failed(let detail): "PostgreSQL cluster: \(detail)" } }
    }
}
