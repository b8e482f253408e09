import BrainCore
import BrainStorePostgres
import BrainTestSupport
import Foundation
import Logging
import PostgresNIO

/// The server named by BRAIND_TEST_POSTGRES_URL (`scripts/with-postgres` sets it), and a fresh
/// database per test, so that tests stay isolated and run in parallel.
enum TestPostgres {
    /// Set by scripts/with-postgres; the suites are skipped, visibly, without it.
    static let baseURL: String? = ProcessInfo.processInfo.environment["BRAIND_TEST_POSTGRES_URL"]

    static var isConfigured: Bool { baseURL != nil }

    static let logger = Logger(label: "braind.postgres.tests")

    /// Deadlines for tests that are not about deadlines: long enough for a server busy with
    /// hundreds of parallel tests, short enough to end a hang.
    static var relaxed: PostgresStoreOptions {
        var options = PostgresStoreOptions()
        options.probeDeadline = .seconds(30)
        options.queryDeadline = .seconds(60)
        options.idleTimeout = .seconds(1)
        return options
    }

    /// Runs `body` with the URL of a new, empty database (owned by braind_owner), dropped after.
    static func withDatabase<T: Sendable>(_ body: (PostgresURL) async throws -> T) async throws -> T {
        let base = try PostgresURL(baseURL ?? "")
        let url = try await PostgresAdmin.createEmptyDatabase()
        let name = url.database
        do {
            let value = try await body(url)
            try await admin(base, "DROP DATABASE \(name) WITH (FORCE)")
            return value
        } catch {
            try? await admin(base, "DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs `body` with a store opened on a new, empty database.
    static func withStore<T: Sendable>(
        options: PostgresStoreOptions = relaxed, _ body: (PostgresStore, PostgresURL) async throws -> T
    ) async throws -> T {
        try await withDatabase { url in
            let store = try await PostgresStore.open(url: url, options: options, logger: logger)
            do {
                let value = try await body(store, url)
                await store.close()
                return value
            } catch {
                await store.close()
                throw error
            }
        }
    }

    /// Runs statements on one connection of its own (not the store's pool), in order.
    static func admin(_ url: PostgresURL, _ statements: String...) async throws {
        try await withConnection(url) { connection in
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    /// Lends a connection of its own to `body`, closed after.
    static func withConnection<T: Sendable>(_ url: PostgresURL, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresAdmin.withConnection(url, body)
    }

    /// The first column of the first row of a query, on a connection of its own.
    static func scalar<T: PostgresDecodable & Sendable>(_ url: PostgresURL, _ sql: String, as type: T.Type = T.self) async throws -> T? {
        try await withConnection(url) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect().first?.decode(T.self)
        }
    }
}

extension MemoryInput {
    static func make(_ slug: String, _ content: String, category: String? = nil) -> MemoryInput {
        MemoryInput(slug: slug, category: category, content: content)
    }
}

/// An owner reference by RUT, check digit unchecked (test RUTs are made up).
func owner(_ rut: String) throws -> OwnerReference {
    .rut(try RUT(rut, verifyCheckDigit: false))
}
