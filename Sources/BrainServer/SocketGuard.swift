import BrainCore
import Foundation

/// Makes one daemon the owner of a socket path. Hummingbird deletes whatever file is at the path
/// when it binds, so without this a second `braind` would silently steal the first one's socket.
///
/// The guard holds an exclusive lock on `SOCKET.lock` (see `LockFile`) for the daemon's lifetime,
/// so a socket left by a crashed daemon is recognised as stale and replaced. The socket's directory
/// must be braind's user's and writable by no one else: whoever can write it can unlink the socket
/// and bind their own, and so receive every request, tokens included (ssh-agent and tmux refuse such
/// a directory for the same reason).
public final class SocketGuard: Sendable {
    public let socketPath: String
    public var lockPath: String { lock.path }
    private let lock: LockFile

    private init(socketPath: String, lock: LockFile) {
        self.socketPath = socketPath
        self.lock = lock
    }

    /// Creates the socket's directory (0700) or checks the one found, takes the lock, and clears a
    /// stale socket.
    public static func acquire(socketPath: String) throws(SocketGuardError) -> SocketGuard {
        let directory = (socketPath as NSString).deletingLastPathComponent
        try makePrivateDirectory(directory)
        let lock: LockFile
        do {
            lock = try LockFile.acquire(path: socketPath + ".lock")
        } catch .held(_, let pid) {
            throw .alreadyRunning(pid: pid, socket: socketPath)
        } catch {
            throw .lockFile(error)
        }
        var info = stat()
        if lstat(socketPath, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                lock.release()
                throw .notASocket(path: socketPath)
            }
            unlink(socketPath)
        }
        return SocketGuard(socketPath: socketPath, lock: lock)
    }

    /// Removes the socket and releases the lock.
    public func release() {
        unlink(socketPath)
        lock.release()
    }

    /// Creates a directory and its parents (the last component 0700), or checks an existing one.
    static func makePrivateDirectory(_ path: String) throws(SocketGuardError) {
        var info = stat()
        if lstat(path, &info) != 0 {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotCreateDirectory(path: path, reason: error.localizedDescription)
            }
        }
        // Checked after creating too: someone may have created it first, between lstat and mkdir.
        try checkPrivateDirectory(path)
    }

    /// Refuses a directory that is a link, not braind's user's, or writable by group or others.
    static func checkPrivateDirectory(_ path: String) throws(SocketGuardError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw .cannotCreateDirectory(path: path, reason: String(cString: strerror(errno)))
        }
        let kind = info.st_mode & S_IFMT
        guard kind != S_IFLNK else { throw .unsafeDirectory(path: path, reason: "it is a symbolic link") }
        guard kind == S_IFDIR else { throw .cannotCreateDirectory(path: path, reason: "a file is in the way") }
        guard info.st_uid == geteuid() else {
            throw .unsafeDirectory(path: path, reason: "it is owned by uid \(info.st_uid), not by braind's user (uid \(geteuid()))")
        }
        let mode = info.st_mode & 0o7777
        guard mode & 0o022 == 0 else {
            throw .unsafeDirectory(path: path, reason: "it is writable by group or others (mode \(String(mode, radix: 8)))")
        }
    }
}

/// Why the daemon cannot own its socket.
public enum SocketGuardError: Error, Equatable, CustomStringConvertible {
    case alreadyRunning(pid: Int32?, socket: String)
    case notASocket(path: String)
    /// The lock file is a link, someone else's, or cannot be opened.
    case lockFile(LockFileError)
    case cannotCreateDirectory(path: String, reason: String)
    /// Someone other than braind's user could replace the socket in this directory.
    case unsafeDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyRunning(let pid, let socket):
            "already running (pid \(pid.map(String.init) ?? "unknown")) on \(socket)"
        case .notASocket(let path):
            "\(path) exists and is not a socket; refusing to replace it"
        case .lockFile(let error):
            error.description
        case .cannotCreateDirectory(let path, let reason):
            "cannot create directory \(path): \(reason)"
        case .unsafeDirectory(let path, let reason):
            "refusing socket directory \(path): \(reason). Another user could replace the socket and receive "
                + "requests and tokens. Remove the directory (or make it yours with mode 0700) and start braind again, "
                + "or choose another --socket"
        }
    }
}
