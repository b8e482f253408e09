import Foundation
import GRDB

/// What a braind database file holds, read without changing it: the checks behind `brain backup`
/// (is the copy sound), `braind restore` (may this file replace the database) and `brain doctor`.
public struct DatabaseInspection: Sendable, Codable, Equatable {
    public var path: String
    /// Size of the main file in bytes (the WAL, if any, is not included).
    public var bytes: Int64
    /// `ok`, or the first problems `PRAGMA integrity_check` names.
    public var integrity: String
    /// The last migration applied, e.g. `0006_reconcile_partial`.
    public var schemaVersion: String?
    /// Migrations this binary does not know: the file comes from a newer braind.
    public var unknownMigrations: [String]
    /// Migrations this binary would apply at its next start.
    public var pendingMigrations: [String]
    /// Live memories by brain (`company`, `user`).
    public var memories: [String: Int]
    /// Deleted memories whose Mem0 delete is still to come, by brain.
    public var tombstones: [String: Int]
    public var companies: Int
    public var users: Int
    public var events: Int
    /// The latest `updated_at` of any memory: a time ahead of the clock means the clock went back.
    public var newestWrite: String?

    public var isSound: Bool { integrity == "ok" }
    public var isNewerThanBinary: Bool { !unknownMigrations.isEmpty }

    enum CodingKeys: String, CodingKey {
        case path, bytes, integrity, memories, tombstones, companies, users, events
        case schemaVersion = "schema_version"
        case newestWrite = "newest_write"
        case unknownMigrations = "unknown_migrations"
        case pendingMigrations = "pending_migrations"
    }

    /// Opens `path` read-only and inspects it.
    /// - Parameters:
    ///   - path: a SQLite file.
    ///   - checkIntegrity: run `PRAGMA integrity_check` (reads every page: seconds for a large file).
    /// - Throws: `DatabaseFileError` when the file is missing, not SQLite, or not a braind database.
    public static func inspect(path: String, checkIntegrity: Bool = true) throws(DatabaseFileError) -> DatabaseInspection {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .missing(path: path)
        }
        // SQLite opens any file lazily; the header tells a database from anything else at once.
        let handle = FileHandle(forReadingAtPath: path)
        let header = try? handle?.read(upToCount: 16)
        try? handle?.close()
        guard header == Data("SQLite format 3\0".utf8) else { throw .notSQLite(path: path) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "braind.inspect"
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in try inspect(db, path: path, checkIntegrity: checkIntegrity) }
        } catch let error as DatabaseFileError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    private static func inspect(_ db: Database, path: String, checkIntegrity: Bool) throws -> DatabaseInspection {
        for table in ["grdb_migrations", "companies", "profiles", "company_brain", "user_brain", "events"] {
            guard try db.tableExists(table) else { throw DatabaseFileError.notBraind(path: path, missingTable: table) }
        }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        let known = EmbeddedSchema.migrations.map(\.identifier)
        let integrity: String
        if checkIntegrity {
            let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
            integrity = problems == ["ok"] ? "ok" : problems.joined(separator: "; ")
        } else {
            integrity = "not checked"
        }
        var memories: [String: Int] = [:]
        var tombstones: [String: Int] = [:]
        for brain in BrainKind.allCases {
            memories[brain.rawValue] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(brain.table) WHERE deleted = 0") ?? 0
            tombstones[brain.rawValue] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(brain.table) WHERE deleted = 1") ?? 0
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return DatabaseInspection(
            path: path,
            bytes: (attributes?[.size] as? NSNumber)?.int64Value ?? 0,
            integrity: integrity,
            schemaVersion: applied.last,
            unknownMigrations: applied.filter { !known.contains($0) },
            pendingMigrations: known.filter { !applied.contains($0) },
            memories: memories,
            tombstones: tombstones,
            companies: try Int.fetchOne(db, sql: "SELECT count(*) FROM companies") ?? 0,
            users: try Int.fetchOne(db, sql: "SELECT count(*) FROM profiles") ?? 0,
            events: try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0,
            newestWrite: try String.fetchOne(
                db, sql: "SELECT max(t) FROM (SELECT max(updated_at) AS t FROM company_brain UNION ALL SELECT max(updated_at) FROM user_brain)"))
    }

    /// The schema version this binary writes: its last migration.
    public static var binarySchemaVersion: String { EmbeddedSchema.migrations.last?.identifier ?? "none" }
}

/// Why a file cannot serve as braind's database.
public enum DatabaseFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case notSQLite(path: String)
    case notBraind(path: String, missingTable: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): "\(path) does not exist or is not a file"
        case .notSQLite(let path): "\(path) is not a SQLite database"
        case .notBraind(let path, let table): "\(path) is not a braind database (it has no \(table) table)"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}
