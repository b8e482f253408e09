import Foundation

/// Makes one daemon the owner of a socket path. Hummingbird deletes whatever file is at the path
/// when it binds, so without this a second `braind` would silently steal the first one's socket.
///
/// The guard holds an exclusive `flock` on `SOCKET.lock` (which records the owner's pid) for the
/// daemon's lifetime. The kernel drops the lock when the process dies, however it dies, so a socket
/// left by a crashed daemon is recognised as stale and replaced.
public final class SocketGuard: Sendable {
    public let socketPath: String
    public let lockPath: String
    private let descriptor: Int32

    private init(socketPath: String, lockPath: String, descriptor: Int32) {
        self.socketPath = socketPath
        self.lockPath = lockPath
        self.descriptor = descriptor
    }

    /// Creates the socket's directory (0700), takes the lock, and clears a stale socket.
    public static func acquire(socketPath: String) throws(SocketGuardError) -> SocketGuard {
        let directory = (socketPath as NSString).deletingLastPathComponent
        try makePrivateDirectory(directory)
        let lockPath = socketPath + ".lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotLock(path: lockPath, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            close(descriptor)
            throw .alreadyRunning(pid: holder, socket: socketPath)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }

        var info = stat()
        if lstat(socketPath, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                close(descriptor)
                throw .notASocket(path: socketPath)
            }
            unlink(socketPath)
        }
        return SocketGuard(socketPath: socketPath, lockPath: lockPath, descriptor: descriptor)
    }

    /// Removes the socket and releases the lock. The lock file stays: unlinking it could let two
    /// daemons lock two different files for one socket.
    public func release() {
        unlink(socketPath)
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Creates a directory and its parents; the last component is created 0700.
    static func makePrivateDirectory(_ path: String) throws(SocketGuardError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .cannotCreateDirectory(path: path, reason: "a file is in the way") }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotCreateDirectory(path: path, reason: error.localizedDescription)
        }
    }
}

/// Why the daemon cannot own its socket.
public enum SocketGuardError: Error, Equatable, CustomStringConvertible {
    case alreadyRunning(pid: Int32?, socket: String)
    case notASocket(path: String)
    case cannotLock(path: String, reason: String)
    case cannotCreateDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyRunning(let pid, let socket):
            "already running (pid \(pid.map(String.init) ?? "unknown")) on \(socket)"
        case .notASocket(let path):
            "\(path) exists and is not a socket; refusing to replace it"
        case .cannotLock(let path, let reason):
            "cannot lock \(path): \(reason)"
        case .cannotCreateDirectory(let path, let reason):
            "cannot create directory \(path): \(reason)"
        }
    }
}
