import BrainCore
import BrainStorePostgres
import BrainStoreSQLite
import Foundation
import Logging
import ServiceLifecycle

/// Opens the store the database setting names, with whatever guards it needs held until close.
struct StoreOpener {
    /// The open store and how to release it at shutdown.
    struct Opened {
        let store: any BrainStore
        /// What the store needs running beside the daemon's own services (PostgreSQL: the
        /// heartbeat that keeps its push leases).
        var services: [any Service] = []
        let close: @Sendable () async -> Void
    }

    static func open(settings: DaemonSettings) async throws -> Opened {
        guard PostgresURL.isPostgresURL(settings.databasePath) else {
            return try openSQLite(path: settings.databasePath, synchronous: settings.configuration.synchronous)
        }
        return try await openPostgres(settings: settings)
    }

    /// How `--db` shows in logs and status: a PostgreSQL URL without its password.
    static func displayName(_ database: String) -> String {
        guard PostgresURL.isPostgresURL(database) else { return database }
        return (try? PostgresURL(database, environment: [:]).redacted) ?? "postgresql://<unreadable URL>"
    }

    private static func openPostgres(settings: DaemonSettings) async throws -> Opened {
        let configuration = settings.configuration
        let url: PostgresURL
        do {
            url = try PostgresURL(settings.databasePath, passwordFile: configuration.passwordFile.map { ($0 as NSString).expandingTildeInPath })
        } catch {
            throw StartupError(
                message: "the database URL is not usable: \(error)",
                hint: "write it as postgresql://USER@HOST:PORT/DATABASE (or ?host=/socket/dir), with the password in PGPASSWORD or storage.password_file")
        }
        var options = PostgresStoreOptions()
        options.maximumConnections = configuration.poolSize
        options.queryDeadline = .milliseconds(Int(configuration.queryTimeoutSeconds * 1_000))
        options.leaseDuration = .milliseconds(Int(configuration.leaseSeconds * 1_000))
        // The same id after a restart, so the daemon recovers its own claims at once; no other
        // process can hold this socket meanwhile (SocketGuard).
        let host = ProcessInfo.processInfo.hostName
        options.daemonID = settings.daemonID
        let logger = Logger(label: "braind.postgres")
        let store: PostgresStore
        do {
            store = try await PostgresStore.open(url: url, options: options, logger: logger)
            do {
                try await store.register(host: host, pid: getpid(), version: BrainVersion.daemon)
            } catch {
                await store.close()
                throw PostgresStoreError.unreachable(location: url.location, reason: "\(error)")
            }
        } catch let error as PostgresStoreError {
            throw StartupError(message: error.description, hint: hint(for: error))
        }
        return Opened(store: store, services: [ClusterHeartbeat(store: store, logger: logger)]) {
            await store.deregister()
            await store.close()
        }
    }

    private static func hint(for error: PostgresStoreError) -> String {
        switch error {
        case .unreachable:
            "start PostgreSQL (make postgres for a local one), or fix host, port, database, user and password (PGPASSWORD or storage.password_file)"
        case .schemaNewer:
            "run the braind release that migrated this database, or a newer one"
        case .migrationFailed:
            "braind_service needs to become braind_owner and braind_owner to create in the database; see schema/postgres/README.md"
        }
    }

    private static func openSQLite(path: String, synchronous: SQLiteSynchronous) throws -> Opened {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StartupError.cannotCreateDirectory(directory, error: error)
            }
        }
        // A file that is not braind's is refused before a lock file is left beside it.
        try BrainDatabase.checkRecognized(path: path)
        // Before opening: opening migrates, and the push worker recovers in-flight rows at start.
        let lock = try BrainDatabase.lock(path: path)
        let database: BrainDatabase
        do {
            database = try BrainDatabase(path: path, synchronous: synchronous)
        } catch let error as DatabaseOpenError {
            lock.release()
            throw error
        } catch {
            lock.release()
            throw StartupError.cannotOpenDatabase(path, error: error)
        }
        return Opened(store: database) {
            try? database.close()
            lock.release()
        }
    }
}
