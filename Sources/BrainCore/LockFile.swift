import Foundation

/// An exclusive `flock` on a small file that records the holder's pid, held for a process's
/// lifetime. The kernel drops the lock when the process dies, however it dies, so a lock left by a
/// crashed daemon never blocks the next one.
///
/// The file is opened with `O_NOFOLLOW` and must be a regular file owned by this process's user: a
/// link planted by someone else would otherwise make braind truncate whatever file it points to.
public final class LockFile: Sendable {
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Opens (creating it 0600) and locks the file, then writes this process's pid into it.
    /// - Throws: `.held(pid:)` if another process holds the lock, `.unsafe` or `.cannotOpen` otherwise.
    public static func acquire(path: String) throws(LockFileError) -> LockFile {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP { throw .unsafe(path: path, reason: "it is a symbolic link; braind does not follow links here") }
            throw .cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else {
            let owner = info.st_uid
            close(descriptor)
            throw .unsafe(path: path, reason: "it is not a regular file owned by uid \(geteuid()) (owner uid \(owner))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = readPID(descriptor)
            close(descriptor)
            throw .held(path: path, pid: holder)
        }
        // Truncate only once the lock is ours: the holder's pid stays readable until then.
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return LockFile(path: path, descriptor: descriptor)
    }

    /// Clears the pid and releases the lock. The file stays: unlinking it could let two processes
    /// lock two different files under one name.
    public func release() {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The pid the holder wrote, read through the open descriptor (never by path again).
    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why a lock file could not be taken.
public enum LockFileError: Error, Equatable, CustomStringConvertible {
    /// Another process holds the lock; `pid` is what it recorded, if readable.
    case held(path: String, pid: Int32?)
    /// The path is a link or a file braind's user does not own.
    case unsafe(path: String, reason: String)
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .held(let path, let pid): "\(path) is locked by pid \(pid.map(String.init) ?? "unknown")"
        case .unsafe(let path, let reason): "refusing lock file \(path): \(reason); remove it and start braind again"
        case .cannotOpen(let path, let reason): "cannot open lock file \(path): \(reason)"
        }
    }
}
