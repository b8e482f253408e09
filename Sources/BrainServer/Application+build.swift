import BrainCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import Prometheus

/// What the routes need to know about the daemon they run in.
public struct APISettings: Sendable {
    /// Largest request body accepted; larger bodies get 413.
    public var maxBodyBytes: Int
    /// Reject RUTs with a wrong check digit.
    public var verifyRUTCheckDigit: Bool
    /// Whether a Mem0 key is configured (reported in status; the key is never passed here).
    public var mem0Configured: Bool
    /// Socket path, reported in status.
    public var socketPath: String
    /// Daemon start time, for uptime.
    public var startedAt: Date
    /// How long `auto` search waits for Mem0 before answering from the local index.
    public var remoteSearchDeadline: Duration = .milliseconds(1_500)
    /// Who may use the socket.
    public var access = AccessSettings()

    public static let versionHeader = HTTPField.Name("Braind-API-Version")!

    public init(
        maxBodyBytes: Int = 1_048_576, verifyRUTCheckDigit: Bool = true, mem0Configured: Bool = false,
        socketPath: String = "", startedAt: Date = Date(), access: AccessSettings = AccessSettings()
    ) {
        self.access = access
        self.maxBodyBytes = maxBodyBytes
        self.verifyRUTCheckDigit = verifyRUTCheckDigit
        self.mem0Configured = mem0Configured
        self.socketPath = socketPath
        self.startedAt = startedAt
    }
}


/// Builds the `/v1` router. Tests call this directly with an in-memory database.
public func buildRouter(
    database: any BrainStore, sync: any SyncControl, reconciler: (any ReconcileControl)? = nil,
    remoteSearch: (any RemoteSearch)? = nil, webhooks: (any WebhookControl)? = nil, retarget: (any RetargetControl)? = nil,
    sharedLoad: SharedLoad? = nil, metrics: PrometheusCollectorRegistry? = nil, settings: APISettings
) -> Router<BrainRequestContext> {
    let router = Router(context: BrainRequestContext.self)
    if metrics != nil { router.add(middleware: MetricsMiddleware()) }
    router.add(middleware: APIVersionMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: AccessMiddleware(database: database, settings: settings.access))
    router.add(middleware: FormQueryMiddleware())
    let v1 = router.group("v1")
    SystemController(database: database, sync: sync, settings: settings).addRoutes(to: v1)
    SyncController(database: database, sync: sync).addRoutes(to: v1)
    ReconcileController(database: database, reconciler: reconciler, settings: settings).addRoutes(to: v1)
    SearchController(database: database, remote: remoteSearch, settings: settings).addRoutes(to: v1)
    LoadController(database: database, sync: sync, sharedLoad: sharedLoad, settings: settings).addRoutes(to: v1)
    TokensController(database: database, settings: settings).addRoutes(to: v1)
    WebhooksController(webhooks: webhooks, settings: settings).addRoutes(to: v1)
    RetargetController(control: retarget, settings: settings).addRoutes(to: v1)
    OpenAPIController().addRoutes(to: v1)
    OperationsController(database: database, sync: sync, settings: settings).addRoutes(to: v1)
    if let metrics { MetricsController(database: database, registry: metrics).addRoutes(to: router) }
    for brain in BrainKind.allCases {
        MemoriesController(brain: brain, database: database, sync: sync, settings: settings).addRoutes(to: v1)
    }
    // Last: it must wrap only the not-found answer (see MethodNotAllowedMiddleware).
    router.add(middleware: MethodNotAllowedMiddleware(routes: RouteTable(router.routes)))
    return router
}

/// Builds the daemon's HTTP application on a Unix socket.
/// - Parameters:
///   - socketPath: where to listen; the caller holds the `SocketGuard` for it.
///   - connections: the connection cap and the idle timeout.
///   - onReady: called once the socket accepts connections.
public func buildApplication(
    socketPath: String, database: any BrainStore, sync: any SyncControl, reconciler: (any ReconcileControl)? = nil,
    remoteSearch: (any RemoteSearch)? = nil, webhooks: (any WebhookControl)? = nil, retarget: (any RetargetControl)? = nil,
    sharedLoad: SharedLoad? = nil, metrics: PrometheusCollectorRegistry? = nil, settings: APISettings,
    connections: ConnectionSettings = ConnectionSettings(), logger: Logger,
    onReady: @escaping @Sendable () async -> Void = {}
) -> some ApplicationProtocol {
    // Hummingbird's idle timeout counts from the last request part read or answer written, so a
    // head sent a byte at a time (no part until it completes) is closed by it as well.
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [CloseAfterResponseHandler()],
        idleTimeout: TimeAmount(connections.idleTimeout))
    return Application(
        router: buildRouter(
            database: database, sync: sync, reconciler: reconciler, remoteSearch: remoteSearch, webhooks: webhooks,
            retarget: retarget, sharedLoad: sharedLoad, metrics: metrics, settings: settings),
        server: .http1(configuration: http1),
        configuration: .init(
            address: .unixDomainSocket(path: socketPath), serverName: "braind/\(BrainVersion.daemon)",
            availableConnectionsDelegate: ConnectionCap(limit: connections.maxConnections, logger: logger)),
        onServerRunning: { _ in
            // bind() honours the umask, but a socket must be 0600 whatever umask braind inherited.
            chmod(socketPath, 0o600)
            await onReady()
        },
        logger: logger)
}
