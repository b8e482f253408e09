import BrainCore
import BrainServer
import BrainTestSupport
import Foundation
import Testing

/// What a service manager and an operator see: readiness notification, versions, JSON logs, doctor.
@Suite(.timeLimit(.minutes(2)))
struct ServiceEndToEndTests {
    @Test("braind tells $NOTIFY_SOCKET READY=1 once it serves and STOPPING=1 when it stops", arguments: [false, true])
    func readinessNotification(abstract: Bool) async throws {
        // Given a datagram socket standing in for systemd's
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let name = abstract ? "@braind-test-\(UUID().uuidString.prefix(8))" : directory + "/notify.sock"
        let receiver = try DatagramReceiver(address: name)
        defer { receiver.close() }

        // When braind starts under it and is stopped
        let daemon = try await DaemonProcess(directory: directory, logLevel: "info", environment: ["NOTIFY_SOCKET": name])
        let ready = await receiver.receive(timeout: .seconds(10))
        try await daemon.stop()
        let stopping = await receiver.receive(timeout: .seconds(10))

        // Then
        #expect(ready == "READY=1")
        #expect(stopping == "STOPPING=1")
    }

    @Test("braind --version and brain --version print the version and the commit")
    func versions() async throws {
        for binary in ["braind", "brain"] {
            let result = try await runCommand(Binaries.url(binary), ["--version"])
            #expect(result.status == 0)
            #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == BrainVersion.withCommit)
            #expect(result.stdout.contains("(commit "))
        }
    }

    @Test("--log-format json writes one JSON object per line with timestamp, level, label, message and metadata")
    func jsonLogs() async throws {
        let daemon = try await DaemonProcess(logLevel: "info", extraArguments: ["--log-format", "json"])
        defer { daemon.removeDirectory() }
        try await daemon.stop()
        let lines = daemon.readStderr().split(separator: "\n")
        #expect(!lines.isEmpty)
        var sawReady = false
        for line in lines {
            let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(line.utf8))
            #expect(object["timestamp"]?.stringValue.flatMap(Timestamp.date(from:)) != nil, "\(line)")
            #expect(object["level"]?.stringValue != nil && object["label"]?.stringValue != nil, "\(line)")
            if object["message"]?.stringValue == "braind ready" {
                sawReady = true
                #expect(object["metadata"]?.objectValue?["braind.socket"]?.stringValue == daemon.socketPath)
            }
        }
        #expect(sawReady)

        let bad = try await runCommand(Binaries.url("braind"), ["--log-format", "xml", "--socket", daemon.directory + "/x.sock"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'xml' is not one of text, json"), "\(bad.stderr)")
    }

    @Test("brain doctor: all ok (offline warns) with braind running; fails with a fix without it")
    func doctor() async throws {
        let daemon = try await DaemonProcess(logLevel: "warning")
        defer { daemon.removeDirectory() }
        _ = try await daemon.client.save(.user, owner: "11.111.111-1", memories: [MemoryInput(slug: "a", content: "1")])
        let brain = Binaries.url("brain")
        let environment = isolatedEnvironment(directory: daemon.directory)

        let healthy = try await runCommand(brain, ["doctor", "--json", "--socket", daemon.socketPath], environment: environment)
        try await daemon.stop()
        let stopped = try await runCommand(brain, ["doctor", "--socket", daemon.socketPath, "--db", daemon.databasePath], environment: environment)
        let config = daemon.directory + "/bad.toml"
        try "[server]\nsocket_path = \"/tmp/x\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let badConfig = try await runCommand(brain, ["doctor", "--config", config, "--socket", daemon.socketPath], environment: environment)

        #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
        let report = try JSONDecoder().decode([String: JSONValue].self, from: Data(healthy.stdout.utf8))
        let checks = report["checks"].flatMap { value -> [[String: JSONValue]]? in
            guard case .array(let items) = value else { return nil }
            return items.compactMap(\.objectValue)
        } ?? []
        let statuses = Dictionary(checks.map { ($0["name"]?.stringValue ?? "", $0["status"]?.stringValue ?? "") }) { first, _ in first }
        #expect(statuses["socket"] == "ok")
        #expect(statuses["database"] == "ok")
        #expect(statuses["mem0"] == "warn")
        #expect(statuses["clock"] != nil && statuses["config"] == "ok")
        if TestStoreKind.current == .sqlite {
            #expect(statuses["disk"] != nil && statuses["wal"] != nil, "a SQLite file's disk and WAL are checked")
        }
        #expect(!healthy.stdout.contains("MEM0_API_KEY=") )

        #expect(stopped.status == 1)
        #expect(stopped.stdout.contains("fail  socket"), "\(stopped.stdout)")
        #expect(stopped.stdout.contains("fix: start braind"), "\(stopped.stdout)")
        // A file is read by braind inspect; a PostgreSQL database only through a running braind.
        #expect(stopped.stdout.contains(TestStoreKind.current == .sqlite ? "ok    database" : "warn  database"), "\(stopped.stdout)")

        #expect(badConfig.status == 1)
        #expect(badConfig.stdout.contains("fail  config"), "\(badConfig.stdout)")
        #expect(badConfig.stdout.contains("socket_path"), "\(badConfig.stdout)")
    }
}

/// A bound datagram socket that collects what braind sends, as systemd's notify socket would.
final class DatagramReceiver: @unchecked Sendable {
    private let fd: Int32

    init(address: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// The next datagram, or nil after `timeout`. Waits on a Dispatch thread, off the cooperative pool.
    func receive(timeout: Duration) async -> String? {
        let fd = self.fd
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, Int32(timeout.components.seconds * 1_000)) == 1 else { return continuation.resume(returning: nil) }
                var buffer = [UInt8](repeating: 0, count: 4_096)
                let count = recv(fd, &buffer, buffer.count, 0)
                continuation.resume(returning: count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil)
            }
        }
    }

    func close() { Glibc.close(fd) }
}
