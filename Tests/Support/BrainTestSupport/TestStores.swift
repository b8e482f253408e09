import BrainCore
import BrainStorePostgres
import BrainStoreSQLite
import Foundation
import Synchronization

/// Which store the suites run on: `BRAIND_TEST_STORE=sqlite` (the default) or `postgresql`.
/// `make test` runs the store, router, sync and end-to-end suites once per store.
public enum TestStoreKind: String, Sendable {
    case sqlite
    case postgresql

    public static let current: TestStoreKind = {
        switch ProcessInfo.processInfo.environment["BRAIND_TEST_STORE"]?.lowercased() {
        case "postgres", "postgresql": .postgresql
        default: .sqlite
        }
    }()
}

/// A fresh, empty store of the kind under test, with a raw SQL probe beside it.
public struct TestStore: Sendable {
    public let store: any BrainStore
    public let sql: any SQLProbe
    /// A private directory the test may use; removed by `close`.
    public let directory: String

    /// Closes the store and removes its files.
    public func close() async {
        try? await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

public enum TestStores {
    /// The probe of every store `make` returned, so a test holding only the store finds it.
    private static let probes = Mutex<[ObjectIdentifier: any SQLProbe]>([:])

    /// The SQL probe beside a store made by `make`.
    public static func probe(_ store: any BrainStore) -> any SQLProbe {
        guard let probe = probes.withLock({ $0[ObjectIdentifier(store as AnyObject)] }) else {
            preconditionFailure("the store was not made by TestStores.make()")
        }
        return probe
    }

    /// A fresh store of `TestStoreKind.current`.
    public static func make() async throws -> TestStore {
        let made = try await makeUnregistered()
        probes.withLock { $0[ObjectIdentifier(made.store as AnyObject)] = made.sql }
        return made
    }

    private static func makeUnregistered() async throws -> TestStore {
        let directory = try makeShortTemporaryDirectory()
        switch TestStoreKind.current {
        case .sqlite:
            let path = directory + "/brain.sqlite"
            // synchronous=NORMAL: a test never survives a power cut, and fsyncs would slow every suite.
            let database = try BrainDatabase(path: path, synchronous: .normal)
            return TestStore(store: database, sql: try SQLiteProbe(path: path), directory: directory)
        case .postgresql:
            let url = try await PostgresAdmin.createDatabase()
            // Suites run hundreds of tests at once, each with a database and a pool of its own:
            // idle connections go at once (the server's connection limit is shared), and the
            // deadline only has to catch a hang, not a busy machine.
            var options = PostgresStoreOptions()
            options.maximumConnections = 2
            options.idleTimeout = .seconds(1)
            options.queryDeadline = .seconds(60)
            options.probeDeadline = .seconds(30)
            let store = try await PostgresStore.open(url: url, options: options)
            return TestStore(store: store, sql: PostgresSQLProbe(url: url), directory: directory)
        }
    }

    /// What a daemon under test gets as `--db`: a file in `directory`, or a fresh database's URL.
    public static func databaseArgument(directory: String) async throws -> String {
        switch TestStoreKind.current {
        case .sqlite: return directory + "/data/brain.sqlite"
        case .postgresql:
            // A daemon restarted on the same directory gets the same database back. The test
            // cluster trusts its socket: the URL has no password to redact.
            let record = directory + "/postgres-url"
            if let url = try? String(contentsOfFile: record, encoding: .utf8) { return url }
            let url = try await PostgresAdmin.createDatabase()
            try url.redacted.write(toFile: record, atomically: true, encoding: .utf8)
            return url.redacted
        }
    }
}

public enum TestStoreError: Error, CustomStringConvertible {
    case postgresUnavailable

    public var description: String {
        "BRAIND_TEST_STORE=postgresql needs BRAIND_TEST_POSTGRES_URL: run the tests through scripts/with-postgres"
    }
}
