import BrainTestSupport
import Foundation
import Testing

/// Connections are a resource braind must ration: file descriptors run out, and a client that
/// never finishes its request (or is refused) must not hold one forever.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ConnectionLimitTests {
    /// Writes a configuration file with the given `[server]` lines into a fresh directory.
    func directoryWithServerConfig(_ lines: String) throws -> (directory: String, config: String) {
        let directory = try makeShortTemporaryDirectory()
        let config = directory + "/braind.toml"
        try "[server]\n\(lines)\n".write(toFile: config, atomically: true, encoding: .utf8)
        return (directory, config)
    }

    /// Opens `count` idle connections, off the cooperative pool. A connect refused because the
    /// listen backlog is momentarily full (braind has not accepted yet) is retried for a while.
    func openIdle(_ count: Int, path: String) async -> [HeldConnection] {
        await onDispatchThread {
            var held: [HeldConnection] = []
            let deadline = ContinuousClock.now + .seconds(20)
            while held.count < count, ContinuousClock.now < deadline {
                if let connection = HeldConnection.open(path: path) {
                    held.append(connection)
                } else {
                    usleep(2_000)
                }
            }
            return held
        }
    }

    // MARK: - File descriptors

    @Test("braind raises its soft open-file limit to the hard limit at start")
    func raisesSoftLimit() async throws {
        let daemon = try await DaemonProcess(launcher: ["/usr/bin/prlimit", "--nofile=256:4096", "--"])
        defer { daemon.removeDirectory() }

        let limits = try #require(openFileLimits(of: daemon.pid))

        #expect(limits.soft == 4096 && limits.hard == 4096, "open files: soft \(limits.soft), hard \(limits.hard)")
        try await daemon.stop()
    }

    @Test("More idle clients than descriptors: braind waits at its cap without spinning, logs it once, and serves again")
    func connectionCap() async throws {
        // Given braind with 256 descriptors at most, and idle connections that are not timed out
        let (directory, config) = try directoryWithServerConfig("idle_timeout_seconds = 600")
        let daemon = try await DaemonProcess(
            directory: directory, extraArguments: ["--config", config], launcher: ["/usr/bin/prlimit", "--nofile=256:256", "--"])
        defer { daemon.removeDirectory() }

        // When 300 clients connect and sit idle (those past the cap wait in the listen backlog)
        var held = await openIdle(300, path: daemon.socketPath)
        #expect(held.count == 300)
        try await Task.sleep(for: .seconds(1))
        let before = try #require(cpuTicks(of: daemon.pid))
        try await Task.sleep(for: .seconds(3))
        let after = try #require(cpuTicks(of: daemon.pid))

        // Then braind is not busy (300 ticks would be a core spinning for the 3 seconds)
        #expect(after - before < 100, "braind used \(after - before) ticks of CPU in 3 s while clients sat idle")

        // And once the clients go, it answers again, having logged the cap exactly once
        held.removeAll()
        let ping = RawUnixSocket.request("GET", "/v1/ping")
        var status: Int?
        for _ in 0..<100 where status != 200 {
            status = await RawUnixSocket.exchangeOffPool(path: daemon.socketPath, request: ping, timeout: .seconds(5)).status
        }
        #expect(status == 200)
        try await daemon.stop()
        let log = daemon.readStderr()
        #expect(log.components(separatedBy: "connection limit reached").count - 1 == 1, "\(log.suffix(2_000))")
    }

    // MARK: - Timeouts and closing

    @Test("Clients sending their request head a byte at a time are closed by the idle timeout")
    func slowHeadersClosed() async throws {
        let (directory, config) = try directoryWithServerConfig("idle_timeout_seconds = 1")
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        defer { daemon.removeDirectory() }
        let path = daemon.socketPath

        // Twenty clients each send one byte of a never-ending header every 100 ms for up to 15 s.
        let closed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await onDispatchThread {
                        guard let connection = HeldConnection.open(path: path) else { return false }
                        let head = Array("GET /v1/ping HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".utf8)
                        for index in 0..<150 {
                            let byte = index < head.count ? head[index] : UInt8(ascii: "a")
                            if !connection.send([byte]) || connection.isClosed(within: .milliseconds(100)) { return true }
                        }
                        return false
                    }
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }

        #expect(closed == 20, "\(20 - closed) slow clients were still connected after 15 s")
        try await daemon.stop()
    }

    @Test("A request whose header is too large gets 400 and the connection is closed")
    func oversizedHeaderClosed() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let path = daemon.socketPath

        let (bytes, closed) = await onDispatchThread { () -> ([UInt8], Bool) in
            guard let connection = HeldConnection.open(path: path) else { return ([], false) }
            let filler = String(repeating: "a", count: 90 * 1024)
            connection.send(Array("GET /v1/ping HTTP/1.1\r\nHost: localhost\r\nX-Big: \(filler)\r\n\r\n".utf8))
            let (bytes, _) = connection.readUntilClosed(timeout: .seconds(10))
            return (bytes, connection.isFullyClosed(within: .seconds(10)))
        }

        #expect(String(decoding: bytes.prefix(12), as: UTF8.self) == "HTTP/1.1 400")
        // End of input alone is not enough: braind half-closed its side and then held the socket.
        #expect(closed, "braind answered 400 but kept its end of the connection open")
        try await daemon.stop()
    }

    @Test("A client of a uid that is not allowed gets 403 and its connection is closed")
    func forbiddenClosed() async throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
            let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile(atPath:))
        else { return }
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        chmod(daemon.directory, 0o755)
        chmod((daemon.socketPath as NSString).deletingLastPathComponent, 0o755)
        chmod(daemon.socketPath, 0o666)
        // A keep-alive request as `nobody`; then wait up to 10 s for braind to close.
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(10)
            s.connect(sys.argv[1])
            s.sendall(b"GET /v1/ping HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n")
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        print("closed")
                        break
                    data += chunk
            except socket.timeout:
                print("open")
            print(data.split(b"\\r\\n")[0].decode())
            """

        let run = try await runCommand(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            ["--reuid=65534", "--regid=65534", "--clear-groups", python, "-c", script, daemon.socketPath])

        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.last?.hasPrefix("HTTP/1.1 403") == true, "\(run.stdout) \(run.stderr)")
        #expect(lines.first == "closed", "the refused client's connection stayed open")
        try await daemon.stop()
    }
}
