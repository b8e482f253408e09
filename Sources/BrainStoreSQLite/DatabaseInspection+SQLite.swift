import BrainCore
import Foundation
import GRDB

extension DatabaseInspection {
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
