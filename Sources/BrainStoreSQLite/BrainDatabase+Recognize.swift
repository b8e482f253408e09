import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// What a database file holds, as far as braind is concerned.
    enum Recognition: Equatable {
        /// Absent, empty, or a SQLite file with no tables yet: braind creates its schema.
        case fresh
        /// A braind database, possibly from an older braind (it is migrated).
        case braind
        /// A braind database migrated by a newer braind: these migrations are unknown here.
        case newer(unknown: [String])
        /// Another application's database: what was found instead of braind's migrations.
        case foreign(found: String)
    }

    /// Refuses a file braind must not write to, before anything opens it for writing: opening a
    /// pool switches the file to WAL and migrating adds `grdb_migrations` and braind's tables, which
    /// would damage another application's database or a newer braind's schema.
    public static func checkRecognized(path: String) throws(DatabaseOpenError) {
        let recognition: Recognition
        do {
            recognition = try recognize(path: path)
        } catch {
            throw .notSQLite(path: path, detail: (error as? DatabaseError)?.message ?? "\(error)")
        }
        switch recognition {
        case .fresh, .braind: return
        case .newer(let unknown): throw .newerSchema(path: path, unknownMigrations: unknown)
        case .foreign(let found): throw .foreign(path: path, found: found)
        }
    }

    /// Reads the file through a read-only connection. A braind database is recognised by braind's
    /// migration identifiers in `grdb_migrations`.
    static func recognize(path: String) throws -> Recognition {
        var info = stat()
        guard stat(path, &info) == 0, info.st_size > 0 else { return .fresh }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let applied = try migrator.appliedIdentifiers(db)
            let known = Set(migrator.migrations)
            guard !applied.isEmpty else {
                let tables = try String.fetchAll(
                    db,
                    sql: """
                        SELECT name FROM sqlite_master
                        WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name
                        """)
                return tables.isEmpty ? .fresh : .foreign(found: "tables \(Self.list(tables)) and no braind migrations")
            }
            guard !applied.isDisjoint(with: known) else {
                return .foreign(found: "migrations \(Self.list(applied.sorted())), none of them braind's")
            }
            if try migrator.hasBeenSuperseded(db) {
                return .newer(unknown: applied.subtracting(known).sorted())
            }
            return .braind
        }
    }

    /// A short list for a one-line message.
    private static func list(_ names: [String]) -> String {
        names.count <= 5 ? names.joined(separator: ", ") : names.prefix(5).joined(separator: ", ") + " and \(names.count - 5) more"
    }
}
