import BrainCore
import Foundation
import GRDB

/// The outcome of `braind restore`.
public struct RestoreReport: Sendable, Codable, Equatable {
    /// The database file now holding the restored data.
    public var database: String
    /// Where the database it replaced was kept, if there was one.
    public var previous: String?
    /// What the restored file holds.
    public var inspection: DatabaseInspection
}

/// Why a restore was refused or failed. Nothing is replaced in any of these cases.
public enum RestoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case file(DatabaseFileError)
    case notSound(path: String, integrity: String)
    case newerThanBinary(path: String, migrations: [String])
    case io(String)

    public var description: String {
        switch self {
        case .file(let error): error.description
        case .notSound(let path, let integrity): "\(path) fails its integrity check: \(integrity)"
        case .newerThanBinary(let path, let migrations):
            "\(path) was written by a newer braind (schema \(migrations.joined(separator: ", ")) is unknown to this binary, which knows up to \(DatabaseInspection.binarySchemaVersion))"
        case .io(let detail): detail
        }
    }
}

/// Replaces braind's database with a backup, atomically, keeping the old one beside it. braind
/// must be stopped: the caller holds the socket lock for the duration.
public enum DatabaseRestore {
    /// - Parameters:
    ///   - source: a file made by `brain backup` (or any braind database of this or an older schema).
    ///   - database: braind's database path.
    ///   - now: names the kept copy (`DATABASE.before-restore-YYYYMMDD-HHMMSS`).
    public static func restore(from source: String, into database: String, now: Date = Date()) throws(RestoreError) -> RestoreReport {
        let inspection: DatabaseInspection
        do {
            inspection = try DatabaseInspection.inspect(path: source)
        } catch {
            throw .file(error)
        }
        guard inspection.isSound else { throw .notSound(path: source, integrity: inspection.integrity) }
        guard !inspection.isNewerThanBinary else { throw .newerThanBinary(path: source, migrations: inspection.unknownMigrations) }

        let directory = (database as NSString).deletingLastPathComponent
        let staged = database + ".restoring-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: staged) }
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            // SQLite's backup, not a file copy: a source left in WAL mode with its -wal beside it
            // is copied with what its WAL holds.
            var readOnly = Configuration()
            readOnly.readonly = true
            let from = try DatabaseQueue(path: source, configuration: readOnly)
            let to = try DatabaseQueue(path: staged)
            try from.backup(to: to)
            try to.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try from.close()
            try to.close()
            chmod(staged, 0o600)
            try FileSync.file(staged)
        } catch {
            throw .io("cannot stage the restore next to \(database): \(error)")
        }

        var previous: String?
        if FileManager.default.fileExists(atPath: database) {
            let kept = database + ".before-restore-" + stamp(now)
            try keep(database, as: kept)
            previous = kept
        }
        guard rename(staged, database) == 0 else {
            throw .io("cannot move the restored file to \(database): \(String(cString: strerror(errno)))")
        }
        // The search index followed the replaced file: remove it, so the restored file is indexed
        // afresh at open (the check at open would also find it ahead of the restored file).
        let index = BrainDatabase.searchIndexPath(of: database)
        for suffix in ["", "-wal", "-shm"] { unlink(index + suffix) }
        FileSync.directory(of: database)
        var restored = inspection
        restored.path = database
        return RestoreReport(database: database, previous: previous, inspection: restored)
    }

    /// Keeps the current database under a new name. Its WAL is folded in first, so the kept file
    /// stands alone; a WAL that cannot be folded (a damaged file) moves along with it. A WAL left
    /// beside the restored file would be replayed into it by SQLite and corrupt it.
    private static func keep(_ database: String, as kept: String) throws(RestoreError) {
        if let queue = try? DatabaseQueue(path: database) {
            _ = try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try? queue.close()
        }
        guard link(database, kept) == 0 else {
            throw .io("cannot keep the current database as \(kept): \(String(cString: strerror(errno)))")
        }
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: database + suffix) {
            let size = ((try? FileManager.default.attributesOfItem(atPath: database + suffix))?[.size] as? NSNumber)?.intValue ?? 0
            if suffix == "-wal" && size > 0 {
                guard rename(database + suffix, kept + suffix) == 0 else {
                    throw .io("cannot move \(database + suffix) beside \(kept): \(String(cString: strerror(errno)))")
                }
            } else {
                unlink(database + suffix)
            }
        }
    }

    private static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02d-%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
