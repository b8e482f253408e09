import BrainCore
import BrainServer
import BrainStorePostgres
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
        try StartupError.checkSocketPath(settings.socketPath)
        let openFiles = FileDescriptorLimit.raiseSoftLimit()
        let guardian = try SocketGuard.acquire(socketPath: settings.socketPath)
        defer { guardian.release() }
        let opened = try await StoreOpener.open(settings: settings)
        do {
            try await serve(database: opened.store, storeServices: opened.services, openFiles: openFiles)
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
        logger.info("braind stopped", metadata: ["braind.socket": "\(settings.socketPath)"])
    }

    /// Runs the services on an open store until a signal stops them.
    private func serve(database: any BrainStore, storeServices: [any Service], openFiles: Int) async throws {
        let configuration = settings.configuration
        let receiver = try webhookReceiverSettings()
        let mem0 = makeMem0Client()
        let gate = Mem0Gate(policy: backoffPolicy)
        let worker = mem0.map { makePushWorker(database: database, client: $0, gate: gate) }
        let reconciler = mem0.map { makeReconciler(database: database, client: $0, gate: gate, pusher: worker?.pusher) }
        let sync: any SyncControl = worker ?? OfflineSync()
        // On a shared database a load of every owner is spread over the daemons.
        let sharedLoad = (database as? PostgresStore).map { SharedLoad(store: $0, onChunk: { sync.localChangesCommitted() }) }
        var processor: WebhookProcessor?
        if receiver != nil, let mem0, let reconciler {
            processor = WebhookProcessor(
                database: database, client: mem0, gate: gate, reconciler: reconciler, queueLimit: configuration.webhookQueueLimit,
                logger: Logger(label: "braind.webhooks"))
        }
        var apiSettings = APISettings(
            maxBodyBytes: configuration.maxBodyBytes,
            verifyRUTCheckDigit: configuration.verifyRUTCheckDigit,
            mem0Configured: configuration.mem0Enabled,
            socketPath: settings.socketPath)
        apiSettings.access = AccessSettings(
            allowedUIDs: Set(configuration.allowedUIDs.map { UInt32($0) }), requireToken: configuration.requireToken)
        let logger = logger
        let settings = settings
        let app = buildApplication(
            socketPath: settings.socketPath, database: database, sync: sync, reconciler: reconciler,
            remoteSearch: mem0.map { Mem0RemoteSearch(client: $0) }, webhooks: mem0.map(Self.webhookControl), retarget: worker,
            sharedLoad: sharedLoad, metrics: metrics,
            settings: apiSettings,
            connections: connectionSettings(openFiles: openFiles, mem0Connections: mem0 == nil ? 0 : mem0Connections),
            logger: logger,
            onReady: {
                let mem0State = await sync.syncStatus().state
                logger.info(
                    "braind ready",
                    metadata: [
                        "braind.socket": "\(settings.socketPath)",
                        "braind.database": "\(StoreOpener.displayName(settings.databasePath))",
                        "braind.config": "\(settings.configFile ?? "(none)")",
                        "braind.mem0": "\(mem0State)",
                        "braind.pid": "\(getpid())",
                    ])
                SystemdNotify.send("READY=1")
            })
        // Shutdown runs in reverse order: the API stops first (finishing in-flight requests), then
        // the push worker, so no acknowledged save is cut off from its commit.
        let retention = configuration.eventsRetentionDays > 0
            ? JournalRetention(database: database, retention: .seconds(configuration.eventsRetentionDays * 86_400), logger: logger)
            : nil
        var listener: (any Service)?
        if let receiver, let processor {
            listener = buildWebhookReceiver(settings: receiver, sink: processor, logger: logger) { port in
                logger.info("webhook listener ready", metadata: ["braind.webhooks.address": "\(receiver.address.host):\(port)"])
            }
        }
        // The store's own services first, so they stop last: the push worker finishing its calls
        // still holds its leases.
        var clusterServices: [any Service] = []
        if let store = database as? PostgresStore, let sharedLoad {
            let loadWorker = LoadWorker(load: sharedLoad, interval: store.leaseDuration / 3, logger: Logger(label: "braind.load"))
            clusterServices = [loadWorker, ClusterSignalsService(store: store, sync: worker, gate: worker == nil ? nil : gate, loadWorker: loadWorker)]
        }
        var services: [any Service] = storeServices
            + [retention as (any Service)?, worker].compactMap { $0 } + clusterServices
            + [reconciler as (any Service)?, processor, listener].compactMap { $0 } + [app]
        // Last, so it hears of a shutdown first.
        if ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil { services.append(SystemdStoppingNotifier()) }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private var backoffPolicy: BackoffPolicy {
        BackoffPolicy(base: .seconds(1), cap: .seconds(settings.configuration.syncBackoffCapSeconds))
    }

    /// The webhook listener's settings, or nil when it stays closed. A listener without a secret
    /// would take deliveries from anyone, and one without a key could not act on them: both stop
    /// braind at start rather than run half-configured.
    private func webhookReceiverSettings() throws -> WebhookReceiverSettings? {
        let configuration = settings.configuration
        guard let listen = configuration.webhooksListen, let address = WebhookAddress(listen) else { return nil }
        guard let secret = configuration.webhookSecret else {
            throw StartupError.webhooks(
                missing: "no secret is configured, so anyone who finds the port could post deliveries",
                hint: "set MEM0_WEBHOOK_SECRET to a long random string (e.g. openssl rand -hex 32) and register the URL with `brain webhooks register`")
        }
        guard configuration.mem0Enabled else {
            throw StartupError.webhooks(
                missing: "no Mem0 key is configured, so deliveries could not be acted on",
                hint: "set MEM0_API_KEY, or remove webhooks.listen (--webhooks-listen, BRAIND_WEBHOOKS_LISTEN)")
        }
        return WebhookReceiverSettings(address: address, secret: secret, maxBodyBytes: configuration.webhookMaxBodyBytes)
    }

    /// The Mem0 client of the configured dialect, when Mem0 is configured; without it braind stays offline.
    private func makeMem0Client() -> (any Mem0Client)? {
        let configuration = settings.configuration
        guard configuration.mem0Enabled, let baseURL = URL(string: configuration.mem0BaseURL) else { return nil }
        var mem0 = Mem0Settings(
            apiKey: configuration.mem0APIKey ?? "", baseURL: baseURL, requestTimeout: .seconds(configuration.mem0TimeoutSeconds))
        mem0.maxConnections = mem0Connections
        if configuration.mem0API == "oss" { return Mem0OSSClient(settings: mem0, logger: Logger(label: "braind.mem0")) }
        return Mem0HTTPClient(settings: mem0, logger: Logger(label: "braind.mem0"))
    }

    /// Webhooks are the Platform's; the self-hosted server has none, and says so.
    private static func webhookControl(_ client: any Mem0Client) -> any WebhookControl {
        (client as? any WebhookControl) ?? NoWebhooks(reason: "the self-hosted Mem0 server (mem0.api = \"oss\") has no webhooks")
    }

    /// Connections the Mem0 client may open: each costs a file descriptor too.
    private var mem0Connections: Int {
        max(settings.configuration.syncConcurrency, settings.configuration.reconcileConcurrency) + 4
    }

    /// The connection cap and idle timeout, with the cap lowered to fit the open-file limit.
    private func connectionSettings(openFiles: Int, mem0Connections: Int) -> ConnectionSettings {
        let configuration = settings.configuration
        let cap = FileDescriptorLimit.connectionCap(
            configured: configuration.maxConnections, softLimit: openFiles, otherConnections: mem0Connections)
        if cap < configuration.maxConnections {
            logger.notice(
                "server.max_connections lowered to fit the open-file limit",
                metadata: [
                    "braind.connections.limit": "\(cap)", "braind.max_connections": "\(configuration.maxConnections)",
                    "braind.open_files": "\(openFiles)",
                ])
        }
        return ConnectionSettings(maxConnections: cap, idleTimeout: .milliseconds(Int(configuration.idleTimeoutSeconds * 1_000)))
    }

    private func makePushWorker(database: any BrainStore, client: any Mem0Client, gate: Mem0Gate) -> PushWorker {
        let configuration = settings.configuration
        var push = PushSettings()
        push.concurrency = configuration.syncConcurrency
        push.interval = .seconds(configuration.syncIntervalSeconds)
        push.debounce = .milliseconds(configuration.syncDebounceMilliseconds)
        push.backoff = backoffPolicy
        push.target = (configuration.mem0API, configuration.mem0BaseURL)
        return PushWorker(database: database, client: client, settings: push, gate: gate, logger: Logger(label: "braind.push"))
    }

    private func makeReconciler(database: any BrainStore, client: any Mem0Client, gate: Mem0Gate, pusher: RowPusher?) -> Reconciler {
        let configuration = settings.configuration
        var reconcile = ReconcileSettings()
        reconcile.interval = configuration.reconcileIntervalSeconds > 0 ? .seconds(configuration.reconcileIntervalSeconds) : nil
        reconcile.concurrency = configuration.reconcileConcurrency
        reconcile.policy = ReconcilePolicy(changed: configuration.reconcileChangedPolicy, orphan: configuration.reconcileOrphanPolicy)
        return Reconciler(
            database: database, client: client, gate: gate, settings: reconcile, pusher: pusher, logger: Logger(label: "braind.reconcile"))
    }
}
