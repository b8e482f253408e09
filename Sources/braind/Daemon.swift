import BrainCore
import BrainServer
import BrainSync
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// The daemon's lifetime: own the socket, open the store, serve until a signal, then clean up.
struct Daemon {
    let settings: DaemonSettings
    let metrics: PrometheusCollectorRegistry
    let logger = Logger(label: "braind")

    func run() async throws {
        // Everything braind creates (directories, database, WAL, socket) is private to its user.
        umask(0o077)
        let guardian = try SocketGuard.acquire(socketPath: settings.socketPath)
        defer { guardian.release() }
        let databaseDirectory = (settings.databasePath as NSString).deletingLastPathComponent
        if !databaseDirectory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: databaseDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // A file that is not braind's is refused before a lock file is left beside it.
        try BrainDatabase.checkRecognized(path: settings.databasePath)
        // Before opening: opening migrates, and the push worker recovers in-flight rows at start.
        let databaseLock = try BrainDatabase.lock(path: settings.databasePath)
        defer { databaseLock.release() }
        let database = try BrainDatabase(path: settings.databasePath, synchronous: settings.configuration.synchronous)
        defer { try? database.close() }

        let configuration = settings.configuration
        let mem0 = makeMem0Client()
        let gate = Mem0Gate(policy: backoffPolicy)
        let worker = mem0.map { makePushWorker(database: database, client: $0, gate: gate) }
        let reconciler = mem0.map { makeReconciler(database: database, client: $0, gate: gate) }
        let sync: any SyncControl = worker ?? OfflineSync()
        var apiSettings = APISettings(
            maxBodyBytes: configuration.maxBodyBytes,
            verifyRUTCheckDigit: configuration.verifyRUTCheckDigit,
            mem0Configured: configuration.mem0APIKey != nil,
            socketPath: settings.socketPath)
        apiSettings.access = AccessSettings(
            allowedUIDs: Set(configuration.allowedUIDs.map { UInt32($0) }), requireToken: configuration.requireToken)
        let logger = logger
        let settings = settings
        let app = buildApplication(
            socketPath: settings.socketPath, database: database, sync: sync, reconciler: reconciler,
            remoteSearch: mem0.map { Mem0RemoteSearch(client: $0) }, metrics: metrics, settings: apiSettings,
            logger: logger,
            onReady: {
                let mem0State = await sync.syncStatus().state
                logger.info(
                    "braind ready",
                    metadata: [
                        "braind.socket": "\(settings.socketPath)",
                        "braind.database": "\(settings.databasePath)",
                        "braind.config": "\(settings.configFile ?? "(none)")",
                        "braind.mem0": "\(mem0State)",
                        "braind.pid": "\(getpid())",
                    ])
            })
        // Shutdown runs in reverse order: the API stops first (finishing in-flight requests), then
        // the push worker, so no acknowledged save is cut off from its commit.
        let services: [any Service] = [worker as (any Service)?, reconciler].compactMap { $0 } + [app]
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("braind stopped", metadata: ["braind.socket": "\(settings.socketPath)"])
    }

    private var backoffPolicy: BackoffPolicy {
        BackoffPolicy(base: .seconds(1), cap: .seconds(settings.configuration.syncBackoffCapSeconds))
    }

    /// The Mem0 client, when a key is configured; without one braind stays offline.
    private func makeMem0Client() -> (any Mem0Client)? {
        let configuration = settings.configuration
        guard let key = configuration.mem0APIKey, let baseURL = URL(string: configuration.mem0BaseURL) else { return nil }
        var mem0 = Mem0Settings(apiKey: key, baseURL: baseURL, requestTimeout: .seconds(configuration.mem0TimeoutSeconds))
        mem0.maxConnections = max(configuration.syncConcurrency, configuration.reconcileConcurrency) + 4
        return Mem0HTTPClient(settings: mem0, logger: Logger(label: "braind.mem0"))
    }

    private func makePushWorker(database: BrainDatabase, client: any Mem0Client, gate: Mem0Gate) -> PushWorker {
        let configuration = settings.configuration
        var push = PushSettings()
        push.concurrency = configuration.syncConcurrency
        push.interval = .seconds(configuration.syncIntervalSeconds)
        push.debounce = .milliseconds(configuration.syncDebounceMilliseconds)
        push.backoff = backoffPolicy
        return PushWorker(database: database, client: client, settings: push, gate: gate, logger: Logger(label: "braind.push"))
    }

    private func makeReconciler(database: BrainDatabase, client: any Mem0Client, gate: Mem0Gate) -> Reconciler {
        let configuration = settings.configuration
        var reconcile = ReconcileSettings()
        reconcile.interval = configuration.reconcileIntervalSeconds > 0 ? .seconds(configuration.reconcileIntervalSeconds) : nil
        reconcile.concurrency = configuration.reconcileConcurrency
        reconcile.policy = ReconcilePolicy(changed: configuration.reconcileChangedPolicy, orphan: configuration.reconcileOrphanPolicy)
        return Reconciler(database: database, client: client, gate: gate, settings: reconcile, logger: Logger(label: "braind.reconcile"))
    }
}
