import BrainCore
import Foundation
import Hummingbird

/// `/v1/ping` and `/v1/status`: liveness and what the daemon holds.
struct SystemController<Context: BrainContext> {
    let database: any StatusStore & ReconcileStore
    let sync: any SyncControl
    let settings: APISettings

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("ping", use: ping)
        group.get("status", use: status)
    }

    @Sendable func ping(_ request: Request, context: Context) async throws -> Response {
        JSONResponse.make(PingReply())
    }

    @Sendable func status(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        var brains: [String: BrainCounts] = [:]
        var lastReconcile: ReconcileReport?
        var unreadable: String?
        var cluster: [ClusterMember]?
        do {
            for brain in BrainKind.allCases {
                brains[brain.rawValue] = try await database.counts(brain)
            }
            lastReconcile = try await database.reconcileRuns(limit: 1).first
            cluster = try await database.liveDaemons()
        } catch BrainError.storageUnavailable(let reason) {
            // Status is what an operator runs while the database is down: answer with what the
            // daemon knows, and say why the counts are missing instead of failing the whole call.
            brains = [:]
            unreadable = reason
        }
        var report = StatusReport(
            version: BrainVersion.daemon,
            apiVersion: BrainVersion.api,
            pid: ProcessInfo.processInfo.processIdentifier,
            uptimeSeconds: (Date().timeIntervalSince(settings.startedAt) * 1000).rounded() / 1000,
            database: database.storeDescription.location,
            socket: settings.socketPath,
            mem0: .init(configured: settings.mem0Configured, sync: await sync.syncStatus()),
            brains: brains,
            lastReconcile: lastReconcile)
        report.storageProblem = unreadable ?? database.storageHealth.current
        report.store = database.storeDescription
        report.cluster = cluster
        return JSONResponse.make(report)
    }
}

/// Adds the API version header to every answer, so clients can detect a daemon of another API.
struct APIVersionMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[APISettings.versionHeader] = BrainVersion.api
        return response
    }
}
