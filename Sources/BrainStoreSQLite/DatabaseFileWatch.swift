import BrainCore
import Foundation
import Logging
import Synchronization

/// Notices when the database file is deleted or replaced while braind runs.
///
/// SQLite keeps writing to the file it opened, so after an `rm` saves would still answer `created`
/// into a file no one will open again, and a restart would start from an empty database. The
/// store checks the path's device and inode before each write transaction and each read (one
/// `stat`, about 2 µs: measured against a save's ~1 ms, and once per group-commit transaction), and
/// once they differ it refuses everything as `storageUnavailable` until braind is restarted.
final class DatabaseFileWatch: Sendable {
    let path: String
    private let identity: FileIdentity
    /// Why the file is lost, once it is: the loss is final for this process.
    private let loss = Mutex<String?>(nil)
    private let logger = Logger(label: "braind.storage")

    /// The device and inode of a file, which name it whatever its path.
    private struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// Records the identity of the file the store just opened.
    init?(path: String) {
        guard let identity = FileIdentity(path: path) else { return nil }
        self.path = path
        self.identity = identity
    }

    /// Whether the loss was found (and logged) already.
    var isLost: Bool { loss.withLock { $0 != nil } }

    /// Throws `storageUnavailable` if the file at the path is no longer the one the store opened.
    func check() throws(BrainError) {
        if let reason = loss.withLock({ $0 }) { throw .storageUnavailable(reason: reason) }
        let current = FileIdentity(path: path)
        guard current != identity else { return }
        let what = current == nil ? "was deleted" : "was replaced by another file"
        let reason = "the database file \(path) \(what) while braind was running; restart braind once the file is back in place"
        // Concurrent checks may all see the loss; only the first one records and logs it.
        let (recorded, first) = loss.withLock { loss -> (String, Bool) in
            if let loss { return (loss, false) }
            loss = reason
            return (reason, true)
        }
        if first {
            logger.critical(
                "database file \(what): refusing reads and writes (503 storage_unavailable) until braind is restarted",
                metadata: ["braind.database": "\(path)"])
        }
        throw .storageUnavailable(reason: recorded)
    }
}
