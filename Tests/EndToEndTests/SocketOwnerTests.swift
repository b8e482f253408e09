import BrainTestSupport
import Foundation
import Synchronization
import Testing

/// Whoever owns the socket file receives what `brain` sends. A socket owned by another user (who
/// took over `/tmp/braind-UID`) must never receive a token.
@Suite(.timeLimit(.minutes(2)))
struct SocketOwnerTests {
    @Test("brain refuses to send a token to a socket owned by another user, with an error and a hint", .enabled(if: getuid() == 0))
    func tokenNotSentToForeignSocket() async throws {
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let listener = try RecordingListener(path: directory + "/impostor.sock")
        defer { listener.stop() }
        // Only root can hand a socket to another uid; here it stands in for the other user binding it.
        #expect(chown(listener.path, 4242, 4242) == 0)

        let result = try await runCommand(
            Binaries.url("brain"), ["list", "user", "11.111.111-1", "--socket", listener.path, "--token", "bt_secret_of_the_victim"],
            environment: ["BRAIN_TOKEN": "", "BRAIND_SOCKET": ""])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Error: "), "\(result.stderr)")
        #expect(result.stderr.contains("uid 4242"), "\(result.stderr)")
        #expect(result.stderr.contains("Try: "), "\(result.stderr)")
        listener.stop()
        #expect(!listener.received.contains("bt_secret_of_the_victim"), "the token reached the impostor")
    }
}

/// A Unix-socket listener that records every byte it is sent and answers nothing. Accepting and
/// reading block, so they run on a Dispatch thread, never on the cooperative pool.
final class RecordingListener: Sendable {
    let path: String
    private let descriptor: Int32
    private let bytes = Mutex(Data())
    private let done = DispatchSemaphore(value: 0)
    private let stopped = Mutex(false)

    var received: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }

    init(path: String) throws {
        self.path = path
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        DispatchQueue.global().async { self.acceptUntilStopped() }
    }

    private func acceptUntilStopped() {
        while true {
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { break }
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(connection, &buffer, buffer.count)
                guard count > 0 else { break }
                bytes.withLock { $0.append(contentsOf: buffer[0..<count]) }
            }
            close(connection)
        }
        done.signal()
    }

    /// Stops accepting (shutdown wakes the blocked accept) and waits for the thread to end. Idempotent.
    func stop() {
        guard !stopped.withLock({ stopped in defer { stopped = true }; return stopped }) else { return }
        shutdown(descriptor, Int32(SHUT_RDWR))
        done.wait()
        close(descriptor)
        unlink(path)
    }
}
