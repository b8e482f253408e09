import BrainCore
import BrainStorePostgres
import Foundation
import Logging
import PostgresNIO

/// The test server `scripts/with-postgres` starts (`BRAIND_TEST_POSTGRES_URL`), and a fresh
/// database per test or daemon, so suites stay isolated and run in parallel.
public enum PostgresAdmin {
    public static let baseURL: String? = ProcessInfo.processInfo.environment["BRAIND_TEST_POSTGRES_URL"]
    static let logger = Logger(label: "braind.tests.postgres")

    /// A new, empty database owned by braind_owner, already migrated: a copy of a template this
    /// process migrates once. Left for the throwaway cluster to take with it: a test that fails
    /// keeps its database to look at.
    public static func createDatabase() async throws -> PostgresURL {
        try await factory.create()
    }

    /// A new database with nothing in it (for migration and adoption tests), made through the
    /// same one-at-a-time gate.
    public static func createEmptyDatabase() async throws -> PostgresURL {
        try await factory.create(empty: true)
    }

    private static let factory = DatabaseFactory()

    /// One CREATE DATABASE at a time (the server serializes them on the template anyway), each a
    /// copy of a migrated template: hundreds of tests starting at once neither queue for minutes
    /// behind each other's migrations nor time out while connecting.
    private actor DatabaseFactory {
        private var template: String?
        /// The last creation queued: each waits for the one before (an actor alone would let a
        /// second creation start while the first awaits the server).
        private var tail: Task<Void, Never> = Task {}

        func create(empty: Bool = false) async throws -> PostgresURL {
            let previous = tail
            let creation = Task { () async throws -> PostgresURL in
                await previous.value
                return try await self.createNow(empty: empty)
            }
            tail = Task { _ = try? await creation.value }
            do {
                return try await creation.value
            } catch {
                throw PostgresAdminError(reason: String(reflecting: error))
            }
        }

        private func createNow(empty: Bool) async throws -> PostgresURL {
            guard let baseURL = PostgresAdmin.baseURL else { throw TestStoreError.postgresUnavailable }
            let base = try PostgresURL(baseURL)
            let template = empty ? "template1" : try await migratedTemplate(base)
            let name = "braind_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            try await PostgresAdmin.run(base, "CREATE DATABASE \(name) TEMPLATE \(template) OWNER braind_owner")
            var url = base
            url.database = name
            return url
        }

        private func migratedTemplate(_ base: PostgresURL) async throws -> String {
            if let template { return template }
            let name = "braind_template_\(getpid())"
            try await PostgresAdmin.run(base, "CREATE DATABASE \(name) OWNER braind_owner")
            var url = base
            url.database = name
            var options = PostgresStoreOptions()
            options.probeDeadline = .seconds(30)
            options.queryDeadline = .seconds(60)
            let store = try await PostgresStore.open(url: url, options: options, logger: PostgresAdmin.logger)
            await store.close()
            template = name
            return name
        }
    }

    /// What went wrong making a test database, with the server's own message.
    struct PostgresAdminError: Error, CustomStringConvertible {
        var reason: String
        var description: String { "cannot create a test database: \(reason)" }
    }

    /// One statement on a connection of its own.
    public static func run(_ url: PostgresURL, _ sql: String) async throws {
        _ = try await withConnection(url) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }

    /// A connection of its own (not a store's pool), closed after `body`.
    public static func withConnection<T: Sendable>(
        _ url: PostgresURL, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let configuration: PostgresConnection.Configuration = if let socket = url.socketPath {
            .init(unixSocketPath: socket, username: url.user, password: url.password?.value, database: url.database)
        } else {
            .init(host: url.host, port: url.port, username: url.user, password: url.password?.value, database: url.database, tls: .disable)
        }
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let value = try await body(connection)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
