import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A raw connection to a Unix socket that a test keeps open: an idle client, a client that sends
/// its request a byte at a time, a client left waiting after an error. Its calls block briefly
/// (`poll` with a timeout); async tests call them through ``onDispatchThread(_:)``.
public final class HeldConnection: @unchecked Sendable {
    public let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Connects without blocking: nil when the socket refuses (no listener, or its backlog is full).
    public static func open(path: String) -> HeldConnection? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            return nil
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return HeldConnection(descriptor: fd)
    }

    /// Sends bytes; false when the peer has closed (EPIPE, ECONNRESET) or the buffer stayed full.
    @discardableResult
    public func send(_ bytes: [UInt8], timeout: Duration = .seconds(5)) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                guard wait(for: Int16(POLLOUT), timeout: timeout) else { return false }
            } else if n < 0, errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    /// Reads whatever arrives until the peer closes or `timeout` passes with nothing new.
    /// - Returns: the bytes, and whether the peer closed the connection.
    public func readUntilClosed(timeout: Duration) -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            guard wait(for: Int16(POLLIN), timeout: timeout) else { return (received, false) }
            let n = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                received += buffer[0..<n]
            } else if n == 0 {
                return (received, true)
            } else if errno == EAGAIN || errno == EINTR {
                continue
            } else {
                return (received, true)  // ECONNRESET: closed by the peer
            }
        }
    }

    /// Whether the peer has closed the connection, waiting at most `timeout` for it to happen.
    /// Bytes that arrive meanwhile are read and dropped.
    public func isClosed(within timeout: Duration) -> Bool {
        readUntilClosed(timeout: timeout).closed
    }

    /// Whether the peer has closed its socket entirely, not only its sending side: a send then
    /// fails with EPIPE or ECONNRESET. Tries a byte every 50 ms for at most `timeout`.
    public func isFullyClosed(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let n = Glibc.send(descriptor, "x", 1, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            if n < 0, errno == EPIPE || errno == ECONNRESET { return true }
            usleep(50_000)
        }
        return false
    }

    private func wait(for events: Int16, timeout: Duration) -> Bool {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1_000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return poll(&entry, 1, milliseconds) > 0
    }
}

/// Runs blocking work on a Dispatch thread: blocked threads of the cooperative pool (two here)
/// starve every other task of the test process.
public func onDispatchThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}

/// CPU time (user + system) a process has used, in clock ticks, from `/proc/PID/stat`.
public func cpuTicks(of pid: Int32) -> Int? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let end = stat.lastIndex(of: ")")
    else { return nil }
    // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
    let fields = stat[stat.index(after: end)...].split(separator: " ")
    guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
    return user + system
}

/// The soft and hard limits of open files of a process, from `/proc/PID/limits`.
public func openFileLimits(of pid: Int32) -> (soft: Int, hard: Int)? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
    else { return nil }
    let numbers = line.dropFirst("Max open files".count).split(separator: " ").compactMap { Int($0) }
    guard numbers.count >= 2 else { return nil }
    return (numbers[0], numbers[1])
}
