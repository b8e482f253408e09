import BrainCore
import Foundation
import Logging
import PostgresNIO

/// The brain store on PostgreSQL: the same behaviour as the SQLite store (saves, deletes, the
/// push queue, reconcile, tokens, loads), for several daemons sharing one database.
///
/// Open it with ``open(url:options:logger:)``: a single probe connection first (the pool would
/// retry a bad server forever), then the pool, then the migrations. Every call has a deadline and
/// answers `BrainError.storageUnavailable` when the database does not answer in time or the
/// connection is lost, so the HTTP layer answers 503 and the store recovers when the server is back.
public final class PostgresStore: Sendable {
    public let url: PostgresURL
    let client: PostgresClient
    let options: PostgresStoreOptions
    let logger: Logger
    private let runTask: Task<Void, Never>
    /// Whether writes succeed now (shown in status, logged once per episode).
    public let storageHealth = StorageHealth()
    /// The server's version as it reported it at start (`SHOW server_version`).
    let serverVersion: String

    /// Probes the server, starts the pool and runs pending migrations.
    /// - Throws: `PostgresStoreError.unreachable` within `options.probeDeadline` when the server
    ///   cannot be reached or refuses the login, `.schemaNewer` when a newer braind migrated the
    ///   database, `.migrationFailed` when a migration fails (none of them is kept).
    public static func open(
        url: PostgresURL, options: PostgresStoreOptions = .init(), logger: Logger = Logger(label: "braind.postgres")
    ) async throws -> PostgresStore {
        let version = try await PostgresProbe.check(url, deadline: options.probeDeadline, logger: logger)
        let store = try PostgresStore(url: url, options: options, logger: logger, serverVersion: version)
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    private init(url: PostgresURL, options: PostgresStoreOptions, logger: Logger, serverVersion: String) throws {
        self.url = url
        self.serverVersion = serverVersion
        self.options = options
        self.logger = logger
        let client = PostgresClient(configuration: try url.clientConfiguration(options: options), backgroundLogger: logger)
        self.client = client
        // Immediate: run() marks the pool running before its first suspension, so it is running
        // by the time the migrations lease a connection (a plain Task may not have started yet,
        // and postgres-nio then warns at every start that run() was not called).
        runTask = Task.immediate { await client.run() }
    }

    /// Stops the pool. Later calls fail with `storageUnavailable`; call it once, at shutdown.
    public func close() async {
        runTask.cancel()
        await runTask.value
    }

    // MARK: - Running queries

    /// Runs `body` in one transaction on a pooled connection, within the query deadline. Saves
    /// retry it after a deadlock or serialization failure (`retryConflicts`).
    @discardableResult
    func transaction<T: Sendable>(
        retryConflicts: Bool = false, abandoned: (@Sendable (T) async -> Void)? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            do {
                let value = try await withDeadline(abandoned: abandoned) { [client, logger] in
                    try await client.withTransaction(logger: logger) { connection in try await body(connection) }
                }
                storageHealth.succeeded()
                return value
            } catch {
                let mapped = PostgresErrors.map(error)
                if retryConflicts, PostgresErrors.isConflict(error), attempt < options.conflictRetries {
                    attempt += 1
                    logger.debug("transaction retried after a conflict", metadata: ["attempt": "\(attempt)"])
                    continue
                }
                storageHealth.observe(mapped)
                throw mapped
            }
        }
    }

    /// Runs `body` on a pooled connection outside a transaction (single-statement reads).
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await withDeadline { [client] in
                try await client.withConnection { connection in try await body(connection) }
            }
        } catch {
            throw PostgresErrors.map(error)
        }
    }

    /// Races `operation` against the query deadline. On time-out the caller gets
    /// `storageUnavailable` at once while the operation is cancelled in the background: a query
    /// already on the wire ends at the server's statement_timeout, and a connection the pool is
    /// still trying to open ends with the cancellation.
    /// - Parameter abandoned: what to do with a result that arrives after the caller was told the
    ///   call failed. A transaction can still commit then; a claim that committed for nobody
    ///   would leave its rows in flight for ever, so the push queue hands them back here.
    func withDeadline<T: Sendable>(
        abandoned: (@Sendable (T) async -> Void)? = nil, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let deadline = options.queryDeadline
        let race = DeadlineRace<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(
                    continuation,
                    work: Task {
                        let result = await Result(awaiting: operation)
                        if !race.finish(with: result), case .success(let value) = result, let abandoned {
                            // A task of its own: this one was cancelled when the caller gave up.
                            Task { await abandoned(value) }
                        }
                    },
                    timer: Task {
                        guard (try? await Task.sleep(for: deadline)) != nil else { return }
                        race.finish(with: .failure(BrainError.storageUnavailable(
                            reason: "PostgreSQL did not answer within \(deadline)")))
                    })
            }
        } onCancel: {
            race.finish(with: .failure(CancellationError()))
        }
    }
}

extension Result where Failure == any Error {
    init(awaiting body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
