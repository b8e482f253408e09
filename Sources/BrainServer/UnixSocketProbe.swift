import Foundation

/// Checks whether something accepts connections on a Unix socket, without sending anything.
enum UnixSocketProbe {
    /// Longest path `sun_path` holds, without its final NUL.
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    static func accepts(_ path: String) -> Bool {
        connectError(path) == nil
    }

    /// Why a connection to `path` fails (errno: `ECONNREFUSED`, `ENOENT`, `EACCES`, and
    /// `ENAMETOOLONG` for a path `sun_path` cannot hold), or nil when it succeeds.
    static func connectError(_ path: String) -> Int32? {
        guard path.utf8.count <= maxPathBytes else { return ENAMETOOLONG }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0 ? nil : errno
    }
}
