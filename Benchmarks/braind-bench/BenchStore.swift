import BrainCore
import BrainStorePostgres
import BrainStoreSQLite
import Foundation
import Logging

/// The store a benchmark runs on, named as braind's `--db` names it: an SQLite file or a
/// PostgreSQL URL. The benchmarks go through the `BrainStore` protocols only, so one code path
/// measures both stores and neither gets a shortcut the daemon lacks.
struct BenchStore: Sendable {
    let store: any BrainStore
    private let release: @Sendable () async throws -> Void

    /// `sqlite 3.40.1` or `postgresql 15.18`, for the benchmark's header line.
    var summary: String { "\(store.storeDescription.kind) \(store.storeDescription.version)" }

    var isPostgres: Bool { store.storeDescription.kind == "postgresql" }

    /// Closes the store and removes what `scratch` made for it.
    func close() async throws { try await release() }

    /// Opens the store `db` names, creating it if missing: the file on SQLite, the database (owned
    /// by braind_owner, as schema/postgres/README.md asks) on the URL's PostgreSQL server.
    /// - Parameter synchronous: SQLite only; the search fill uses `normal` to seed faster.
    static func open(_ db: String, synchronous: SQLiteSynchronous = .full) async throws -> BenchStore {
        guard PostgresURL.isPostgresURL(db) else {
            let database = try BrainDatabase(path: db, synchronous: synchronous)
            return BenchStore(store: database) { try database.close() }
        }
        let url = try PostgresURL(db)
        try await PostgresDatabases.create(url, ifMissing: true)
        let store = try await PostgresStore.open(url: url, options: options, logger: logger)
        return BenchStore(store: store) { await store.close() }
    }

    /// A fresh, empty store for one measurement, removed by `close`.
    /// - Parameter server: nil for a temporary SQLite file (as before `--db` existed); an SQLite
    ///   path to use that file (removed before and after); a PostgreSQL URL for a new database on
    ///   that server, named `braind_bench_…` and dropped after.
    private static func scratch(server: String?) async throws -> BenchStore {
        if let server, PostgresURL.isPostgresURL(server) {
            var named = try PostgresURL(server)
            named.database = "braind_bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            let url = named
            try await PostgresDatabases.create(url, ifMissing: false)
            let store = try await PostgresStore.open(url: url, options: options, logger: logger)
            return BenchStore(store: store) {
                await store.close()
                try await PostgresDatabases.drop(url)
            }
        }
        let path = server ?? FileManager.default.temporaryDirectory.appendingPathComponent("braind-bench-\(UUID().uuidString).sqlite").path
        removeSQLite(path)
        let database = try BrainDatabase(path: path)
        return BenchStore(store: database) {
            try database.close()
            removeSQLite(path)
        }
    }

    /// Runs `body` on a `scratch` store and removes the store afterwards, also when `body` throws.
    static func withScratch<T>(server: String?, _ body: (any BrainStore) async throws -> T) async throws -> T {
        let opened = try await scratch(server: server)
        do {
            let value = try await body(opened.store)
            try await opened.close()
            return value
        } catch {
            try? await opened.close()
            throw error
        }
    }

    /// braind's defaults (pool of 4) with a longer deadline: a fill's 100-row saves on 2 busy
    /// cores must not fail a 20-minute run on one slow checkpoint.
    private static var options: PostgresStoreOptions {
        var options = PostgresStoreOptions()
        options.maximumConnections = BrainConfiguration().poolSize
        options.queryDeadline = .seconds(60)
        options.probeDeadline = .seconds(10)
        return options
    }

    static let logger: Logger = {
        var logger = Logger(label: "braind-bench.store")
        logger.logLevel = .warning
        return logger
    }()

    private static func removeSQLite(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
