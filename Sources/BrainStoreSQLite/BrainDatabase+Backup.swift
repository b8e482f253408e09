import BrainCore
import Foundation
import GRDB
import Synchronization

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
    /// never blocked by it (the WAL only grows until the snapshot ends; the backup then folds
    /// that growth into the database file itself, beside the writer). The copy is written
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
            try await withWriterCheckpointsPaused {
                try await copySnapshot(to: partial)
                try await foldWALBesideWriter()
            }
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

    /// Copies one snapshot of the database into `partial`, a step at a time with a rest after each.
    private func copySnapshot(to partial: String) async throws {
        let destination = try DatabaseQueue(path: partial)
        let writeback = FileWriteback(path: partial)
        try await writer.read { db in
            try destination.writeWithoutTransaction { destinationDB in
                // The copy is a scratch file until renamed: no journal, and SQLite syncs
                // nothing; the copy is written back step by step below, then synced once.
                try destinationDB.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
                var stepStarted = ContinuousClock.now
                try db.backup(to: destinationDB, pagesPerStep: Self.backupPagesPerStep) { progress in
                    guard !progress.isCompleted else { return }
                    // A save's WAL sync queues behind whatever the copy has left unwritten: one
                    // sync of the whole copy at the end held saves for ~90 ms at 85 MB (bench/run
                    // --backup). Counted in the step, so the rest below grows with it.
                    writeback.flush()
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
    }

    /// Runs `body` with the writer's automatic checkpoints off.
    ///
    /// The backup's snapshot holds back every checkpoint while it lasts, so the WAL keeps all
    /// the saves made meanwhile. Left to the writer, the first save to commit after the snapshot
    /// would fold that backlog into the database file within its own commit: 20-30 ms at 100,000
    /// memories (bench/run --backup), more the longer the copy. `body` folds it beside the writer.
    private func withWriterCheckpointsPaused(_ body: () async throws -> Void) async throws {
        try await writer.writeWithoutTransaction { db in try self.checkpointPause.begin(db) }
        var failure: (any Error)?
        do {
            try await body()
        } catch {
            failure = error
        }
        // Ended from a task of its own, which a cancelled backup does not cancel: a pause left
        // on would let the WAL grow for the rest of the process. (A writer that cannot run a
        // pragma fails the next save, which reports it.)
        await Task { try? await self.writer.writeWithoutTransaction { db in try self.checkpointPause.end(db) } }.value
        if let failure { throw failure }
    }

    /// Folds the WAL into the database file on a connection of its own. PASSIVE: the writer
    /// never waits for it, and saves go on appending to the WAL while it runs.
    private func foldWALBesideWriter() async throws {
        guard let path, writer is DatabasePool else { return }
        var configuration = Configuration()
        configuration.label = "braind.backup-checkpoint"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        try await connection.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)")
            // While saves append, SQLite leaves the database file unsynced after a checkpoint
            // that stops short of the WAL's end; the writer's next checkpoint would then sync
            // the whole backlog inside a save (11 ms seen). Synced here instead, a range at a
            // time, so that the saves' WAL syncs queue behind one range, not the whole backlog.
            try FileSync.fileInRanges(path)
        }
        try connection.close()
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

/// Turns the writer's automatic checkpoints off while any backup runs (see
/// `BrainDatabase.withWriterCheckpointsPaused`). Called on the writer's connection only, so the
/// writer's queue orders the calls and the pragma always matches the count.
final class WriterCheckpointPause: Sendable {
    private let state = Mutex((running: 0, pages: 0))

    func begin(_ db: Database) throws {
        try state.withLock { state in
            if state.running == 0 {
                state.pages = try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 1_000
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            }
            state.running += 1
        }
    }

    func end(_ db: Database) throws {
        try state.withLock { state in
            state.running -= 1
            if state.running == 0 {
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(state.pages)")
            }
        }
    }
}

/// A descriptor kept open on a file while it is written, to write it back in pieces.
final class FileWriteback: Sendable {
    private let fd: CInt

    init(path: String) {
        fd = open(path, O_RDONLY)
    }

    /// Waits until what was written so far is on disk. Best effort: a failure shows in the
    /// checked `FileSync.file` that ends the writing.
    func flush() {
        if fd >= 0 { fdatasync(fd) }
    }

    deinit {
        if fd >= 0 { close(fd) }
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

    /// fsync, but writing the dirty pages back one range at a time first: fdatasync takes no
    /// range, msync of a shared mapping does (and flushes pages however they were written).
    static func fileInRanges(_ path: String, rangeBytes: Int = 1 << 20) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_size > 0, let base = mmap(nil, Int(info.st_size), PROT_READ, MAP_SHARED, fd, 0),
            base != UnsafeMutableRawPointer(bitPattern: -1)
        {
            let size = Int(info.st_size)
            defer { munmap(base, size) }
            for offset in stride(from: 0, to: size, by: rangeBytes) {
                msync(base + offset, min(rangeBytes, size - offset), MS_SYNC)
            }
        }
        guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    static func file(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
