import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Pages copied per backup step (4 KiB each). Steps only bound each call's work: the read
    /// transaction spans them all, so the copy is one snapshot.
    static let backupPagesPerStep: CInt = 256

    /// After each step the backup rests as long as the step took (at most `backupMaxPause`), so
    /// on two cores it takes half of one and saves keep theirs: a save waits on CPU and disk
    /// behind at most one step, never behind the whole copy.
    static let backupMaxPause: Duration = .milliseconds(20)

    /// Copies the database into a new file while braind keeps serving, checks the copy, and
    /// moves it into place.
    ///
    /// SQLite's online backup runs on a reader connection inside one read transaction: in WAL
    /// mode that is a snapshot taken as the copy starts, so it holds every commit acknowledged
    /// before, the copy never restarts however many saves land meanwhile, and the writer is
    /// never blocked by it (the WAL only grows until the snapshot ends). The copy is written
    /// beside `path` and renamed at the end, so `path` is either absent or a sound backup.
    /// - Parameters:
    ///   - path: an absolute path to a file that does not exist yet (unless `overwrite`).
    ///   - overwrite: replace an existing file at `path`.
    public func backup(to path: String, overwrite: Bool = false) async throws -> BackupReport {
        let started = ContinuousClock.now
        try checkBackupTarget(path, overwrite: overwrite)
        let partial = path + ".partial-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: partial) }
        do {
            let destination = try DatabaseQueue(path: partial)
            try await writer.read { db in
                try destination.writeWithoutTransaction { destinationDB in
                    // The copy is a scratch file until renamed: no journal and no fsync per step
                    // (each would compete with the saves' own fsyncs); one fsync at the end.
                    try destinationDB.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
                    var stepStarted = ContinuousClock.now
                    try db.backup(to: destinationDB, pagesPerStep: Self.backupPagesPerStep) { progress in
                        guard !progress.isCompleted else { return }
                        let pause = min(ContinuousClock.now - stepStarted, Self.backupMaxPause)
                        // A GRDB reader thread, not the cooperative pool: sleeping here blocks nothing else.
                        Thread.sleep(forTimeInterval: pause.seconds)
                        stepStarted = ContinuousClock.now
                    }
                    // One self-contained file: no -wal beside it to copy or lose.
                    try destinationDB.execute(sql: "PRAGMA journal_mode = DELETE")
                }
            }
            try destination.close()
            try FileSync.file(partial)
        } catch {
            throw Self.storageError(error)
        }
        let inspection: DatabaseInspection
        do {
            inspection = try DatabaseInspection.inspect(path: partial)
        } catch {
            throw BrainError.storageUnavailable(reason: "the backup copy cannot be read back: \(error)")
        }
        guard inspection.isSound else {
            throw BrainError.storageUnavailable(reason: "the backup copy failed its integrity check: \(inspection.integrity)")
        }
        guard rename(partial, path) == 0 else {
            throw BrainError.storageUnavailable(reason: "cannot move the backup to \(path): \(String(cString: strerror(errno)))")
        }
        FileSync.directory(of: path)
        var report = inspection
        report.path = path
        return BackupReport(path: path, seconds: (ContinuousClock.now - started).seconds, inspection: report)
    }

    private func checkBackupTarget(_ path: String, overwrite: Bool) throws {
        guard path.hasPrefix("/") else { throw BrainError.invalid(field: "path", reason: "must be an absolute path") }
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BrainError.invalid(field: "path", reason: "the directory \(directory) does not exist")
        }
        if let own = self.path {
            let resolved = (path as NSString).resolvingSymlinksInPath
            let ownResolved = (own as NSString).resolvingSymlinksInPath
            guard ![ownResolved, ownResolved + "-wal", ownResolved + "-shm"].contains(resolved) else {
                throw BrainError.invalid(field: "path", reason: "is braind's own database file; choose another file")
            }
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard overwrite, !isDirectory.boolValue else {
                throw BrainError.invalid(
                    field: "path", reason: isDirectory.boolValue ? "\(path) is a directory" : "\(path) exists; pass overwrite (brain backup --force) to replace it")
            }
        }
    }
}

/// fsync for the directories whose entries a rename changed: without it a power loss can undo
/// the rename even though the file's data is on disk.
enum FileSync {
    static func directory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func file(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
