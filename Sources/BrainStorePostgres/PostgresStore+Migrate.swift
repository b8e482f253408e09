import BrainCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// The newest schema version this binary knows.
    public static var schemaVersion: Int { EmbeddedPostgresSchema.migrations.last?.version ?? 0 }

    /// Any fixed number shared by every braind: the advisory lock that serialises migrations of
    /// daemons starting at once on one database.
    static let migrationLockKey: Int64 = 0x6272_6169_6e64  // "braind"

    /// Runs every pending migration in one transaction under a transaction-level advisory lock:
    /// daemons starting together migrate once (the second waits, then finds nothing to do), and
    /// a failure keeps none of them. A database migrated by a newer braind is refused.
    func migrate() async throws {
        let location = url.location
        let migrations = EmbeddedPostgresSchema.migrations
        let logger = self.logger
        do {
            try await client.withTransaction(logger: logger) { connection in
                // Migrations may run long (an adopted table's new columns and index); the
                // session's statement_timeout is for requests.
                try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger)
                // Objects belong to braind_owner when this login may act as it (see 0001).
                let canOwn = try await connection.query(
                    """
                    SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'braind_owner')
                       AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = 'braind_owner'), 'MEMBER')
                    """, logger: logger
                ).collect().first?.decode(Bool.self) ?? false
                if canOwn { try await connection.query("SET LOCAL ROLE braind_owner", logger: logger) }
                let exists = try await connection.query(
                    "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger
                ).collect().first?.decode(Bool.self) ?? false
                if !exists {
                    try await connection.query(
                        """
                        CREATE TABLE schema_migrations (
                            version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                        """, logger: logger)
                    try await connection.query("GRANT SELECT ON schema_migrations TO PUBLIC", logger: logger)
                }
                let current = try await connection.query(
                    "SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger
                ).collect().first?.decode(Int.self) ?? 0
                guard current <= Self.schemaVersion else {
                    throw PostgresStoreError.schemaNewer(found: current, supported: Self.schemaVersion, location: location)
                }
                for migration in migrations where migration.version > current {
                    do {
                        for statement in SQLScript.statements(migration.sql) {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await connection.query(
                            "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                            logger: logger)
                    } catch let error as PostgresStoreError {
                        throw error
                    } catch {
                        throw PostgresStoreError.migrationFailed(
                            version: migration.version, name: migration.name, reason: PostgresErrors.reason(error))
                    }
                    logger.info("PostgreSQL schema migrated", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                }
            }
        } catch {
            throw PostgresErrors.map(error)
        }
    }

    /// The versions recorded in `schema_migrations`, in order.
    public func appliedMigrations() async throws -> [Int] {
        try await read { connection in
            try await connection.query("SELECT version FROM schema_migrations ORDER BY version", logger: self.logger)
                .collect().map { try $0.decode(Int.self) }
        }
    }
}

extension PostgresStore {
    /// Whether the embedded migrations equal the files in `directory` (a test's guard that
    /// scripts/embed-postgres-schema was run after an edit).
    public static func embeddedSchemaMatches(directory: String) -> Bool {
        EmbeddedPostgresSchema.migrations.allSatisfy { migration in
            guard let text = try? String(contentsOfFile: directory + "/" + migration.name + ".sql", encoding: .utf8) else { return false }
            return text.trimmingCharacters(in: .whitespacesAndNewlines) == migration.sql.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
