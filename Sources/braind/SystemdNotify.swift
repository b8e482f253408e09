import Foundation
import ServiceLifecycle

/// systemd's readiness protocol (`Type=notify`): a datagram such as `READY=1` sent to the Unix
/// socket named by `$NOTIFY_SOCKET` (an abstract socket when it starts with `@`). libsystemd's
/// `sd_notify` is a C library we would have to link for a dozen lines of POSIX, and no Swift
/// package for it is in the mirror, so it is written here. Without `$NOTIFY_SOCKET` (not under
/// systemd) nothing is sent.
enum SystemdNotify {
    /// Sends `state` (e.g. `READY=1`); returns whether a datagram was sent.
    @discardableResult
    static func send(_ state: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let path = environment["NOTIFY_SOCKET"], path.hasPrefix("/") || path.hasPrefix("@") else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(path.utf8)
        let abstract = pathBytes.first == UInt8(ascii: "@")
        if abstract { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: pathBytes)
        }
        // An abstract address is exactly its bytes; a path address includes its terminating NUL.
        let length = MemoryLayout<sa_family_t>.size + pathBytes.count + (abstract ? 0 : 1)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { addressPointer in
                message.withUnsafeBytes { bytes in
                    sendto(fd, bytes.baseAddress, bytes.count, 0, addressPointer, socklen_t(length))
                }
            }
        }
        return sent == message.count
    }
}

/// Tells systemd `STOPPING=1` as soon as a graceful shutdown begins, so `systemctl status` shows
/// "deactivating" while braind finishes in-flight requests. Added only under systemd: a service
/// that returned before shutdown would end the service group.
struct SystemdStoppingNotifier: Service {
    func run() async throws {
        try? await gracefulShutdown()
        SystemdNotify.send("STOPPING=1")
    }
}
