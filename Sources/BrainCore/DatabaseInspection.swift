import Foundation

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

    public init(path: String, bytes: Int64, integrity: String, schemaVersion: String? = nil, unknownMigrations: [String], pendingMigrations: [String], memories: [String: Int], tombstones: [String: Int], companies: Int, users: Int, events: Int, newestWrite: String? = nil) {
        self.path = path
        self.bytes = bytes
        self.integrity = integrity
        self.schemaVersion = schemaVersion
        self.unknownMigrations = unknownMigrations
        self.pendingMigrations = pendingMigrations
        self.memories = memories
        self.tombstones = tombstones
        self.companies = companies
        self.users = users
        self.events = events
        self.newestWrite = newestWrite
    }
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
