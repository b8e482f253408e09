import BrainCore
import BrainStorePostgres
import Foundation
import Logging
import PostgresNIO

/// The benchmarks' own databases on a PostgreSQL server: created before a measurement, dropped
/// after, on a connection of their own (the store's pool is for the store's calls). The URL's
/// user needs CREATEDB and membership in braind_owner, as `scripts/with-postgres` sets up.
enum PostgresDatabases {
    /// Creates `url.database` owned by braind_owner. With `ifMissing`, an existing one is kept
    /// (`braind-bench search --db URL` fills it, and `ready` then starts braind on it).
    static func create(_ url: PostgresURL, ifMissing: Bool) async throws {
        try await onMaintenanceDatabase(url) { connection in
            if ifMissing {
                let found = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(url.database)", logger: logger)
                    .collect()
                if !found.isEmpty { return }
            }
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted(url.database)) OWNER braind_owner"), logger: logger)
        }
    }

    /// Drops `url.database`; the store using it must be closed first.
    static func drop(_ url: PostgresURL) async throws {
        try await onMaintenanceDatabase(url) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(quoted(url.database))"), logger: logger)
        }
    }

    /// VACUUM (ANALYZE) of the whole database: after a bulk fill, the state autovacuum would reach
    /// within minutes, so the search is measured on a settled table (statistics for the planner,
    /// GIN's pending list merged) rather than on whatever autovacuum happens to be doing.
    static func vacuumAnalyze(_ url: PostgresURL) async throws {
        try await withConnection(url) { connection in
            try await connection.query("VACUUM (ANALYZE)", logger: logger)
        }
    }

    /// CREATE and DROP DATABASE cannot run in the database they name: they run in `postgres`.
    private static func onMaintenanceDatabase(_ url: PostgresURL, _ body: @Sendable (PostgresConnection) async throws -> Void) async throws {
        var maintenance = url
        maintenance.database = "postgres"
        try await withConnection(maintenance, body)
    }

    private static func withConnection(_ url: PostgresURL, _ body: @Sendable (PostgresConnection) async throws -> Void) async throws {
        // The store's own connection settings, with a statement_timeout long enough for a
        // VACUUM of 1,000,000 rows (the store's is its 5 s query deadline plus one).
        var options = PostgresStoreOptions()
        options.queryDeadline = .seconds(1_800)
        options.probeDeadline = .seconds(10)
        let connection = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(options: options), id: 1, logger: logger)
        do {
            try await body(connection)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw BenchmarkError.setup("PostgreSQL at \(url.location): \(String(reflecting: error))")
        }
    }

    private static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static let logger = BenchStore.logger
}
