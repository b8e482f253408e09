import BrainCore
import Hummingbird

/// `/v1/reconcile`: start a run (or join the one in progress) and read run reports.
struct ReconcileController<Context: BrainContext> {
    let database: any ReconcileStore
    /// Nil when no Mem0 key is configured: reports stay readable, runs cannot start.
    let reconciler: (any ReconcileControl)?
    let settings: APISettings

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("reconcile", use: start)
        group.get("reconcile/runs", use: runs)
        group.get("reconcile/runs/last", use: last)
        group.get("reconcile/runs/:id", use: run)
    }

    /// Body of `POST /v1/reconcile`; every field is optional.
    struct StartRequest: Decodable, StrictBody {
        static var fields: Set<String> { ["entity", "brain", "dry_run"] }
        var entity: String?
        var brain: String?
        var dryRun: Bool?

        enum CodingKeys: String, CodingKey {
            case entity, brain
            case dryRun = "dry_run"
        }
    }

    @Sendable func start(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        var body = StartRequest()
        let buffer = try await JSONResponse.collect(request, limit: settings.maxBodyBytes)
        if buffer.readableBytes > 0 { body = try JSONResponse.decode(StartRequest.self, from: buffer) }
        var options = ReconcileOptions(dryRun: body.dryRun ?? false)
        if let entity = body.entity {
            do {
                options.entity = try RUT(entity, verifyCheckDigit: settings.verifyRUTCheckDigit).normalized
            } catch {
                throw BrainError.invalid(field: "entity", reason: error.description)
            }
        }
        if let brain = body.brain {
            guard let kind = BrainKind(name: brain) else { throw BrainError.invalid(field: "brain", reason: "'\(brain)' is not company or user") }
            options.brain = kind
        }
        guard let reconciler else {
            throw APIError(status: .conflict, code: "mem0_not_configured", message: "reconcile needs Mem0: set MEM0_API_KEY and restart braind")
        }
        return JSONResponse.make(try await reconciler.start(options), status: .accepted)
    }

    @Sendable func runs(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        var limit = 20
        if let text = request.uri.queryParameters.get("limit") {
            guard let value = Int(text), (1...1_000).contains(value) else {
                throw BrainError.invalid(field: "limit", reason: "must be an integer between 1 and 1000")
            }
            limit = value
        }
        return JSONResponse.make(ReconcileRuns(runs: try await database.reconcileRuns(limit: limit)))
    }

    @Sendable func last(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        guard let report = try await database.reconcileRuns(limit: 1).first else {
            throw APIError(status: .notFound, code: "run_not_found", message: "no reconcile run yet")
        }
        return JSONResponse.make(await live(report))
    }

    @Sendable func run(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let id = try context.parameters.require("id")
        guard let report = try await database.reconcileRun(id: id) else {
            throw APIError(status: .notFound, code: "run_not_found", message: "no reconcile run with id '\(id)'")
        }
        return JSONResponse.make(await live(report))
    }

    /// A stored report of the run in progress is replaced by its live counts.
    private func live(_ report: ReconcileReport) async -> ReconcileReport {
        if report.status == "running", let current = await reconciler?.current(), current.runID == report.runID { return current }
        return report
    }
}

/// Answer of `GET /v1/reconcile/runs`.
public struct ReconcileRuns: Codable, Sendable {
    public var runs: [ReconcileReport]
}
