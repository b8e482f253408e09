import BrainTestSupport
import BrainCore
import BrainServer
import Foundation
import Testing

/// The uid dimension of the access matrix needs a real socket and a real other user: the test
/// runs `brain` as `nobody` through setpriv (root only; skipped elsewhere).
@Suite(.timeLimit(.minutes(2)))
struct PeerCredentialTests {
    static let nobody: UInt32 = 65534
    static var canSwitchUser: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") }

    func runAsNobody(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runCommand(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            ["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", Binaries.url("brain").path] + arguments)
    }

    /// Opens the socket's directory and file to everyone, so only braind's own check stands in the way.
    func openUp(_ daemon: DaemonProcess) {
        chmod(daemon.directory, 0o755)
        chmod((daemon.socketPath as NSString).deletingLastPathComponent, 0o755)
        chmod(daemon.socketPath, 0o666)
    }

    @Test("Another uid gets 403 and a log line with its pid and uid; the owner and root are served")
    func otherUserRefused() async throws {
        guard Self.canSwitchUser else { return }
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        openUp(daemon)
        let refused = try await runAsNobody(["ping", "--socket", daemon.socketPath])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("HTTP 403"), "\(refused.stderr)")
        #expect(try await daemon.client.ping().ok, "root (the owner here) is served")
        try await daemon.stop()
        let log = daemon.readStderr()
        #expect(log.contains("refused a client that is not allowed"))
        #expect(log.contains("braind.peer.uid=\(Self.nobody)"))
        #expect(log.contains("braind.peer.pid="))
    }

    @Test("A uid in access.allowed_uids is served")
    func allowedUID() async throws {
        guard Self.canSwitchUser else { return }
        let directory = try makeShortTemporaryDirectory()
        let config = directory + "/braind.toml"
        try "[access]\nallowed_uids = [\(Self.nobody)]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        defer { daemon.removeDirectory() }
        openUp(daemon)
        let served = try await runAsNobody(["ping", "--socket", daemon.socketPath])
        #expect(served.status == 0, "\(served.stderr)")
        try await daemon.stop()
    }
}
