import BrainCore
import Hummingbird

/// `/v1/failed` and `/v1/retry`: rows Mem0 refused, and putting them back in the push queue.
struct SyncController<Context: BrainContext> {
    let database: any PushQueueStore
    let sync: any SyncControl

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("failed", use: failed)
        group.post("retry", use: retry)
    }

    /// Answer of `POST /v1/retry`.
    struct RetryResult: Codable {
        var retried: Int
    }

    /// Answer of `GET /v1/failed`.
    struct FailedPage: Codable {
        var memories: [Memory]
    }

    @Sendable func failed(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let query = request.uri.queryParameters
        let brain = try Self.brain(query.get("brain"))
        var limit = StoreLimits.defaultPageSize
        if let text = query.get("limit") {
            guard let value = Int(text), (1...StoreLimits.maxPageSize).contains(value) else {
                throw BrainError.invalid(field: "limit", reason: "must be an integer between 1 and \(StoreLimits.maxPageSize)")
            }
            limit = value
        }
        return JSONResponse.make(FailedPage(memories: try await database.failedMemories(brain: brain, limit: limit)))
    }

    @Sendable func retry(_ request: Request, context: Context) async throws -> Response {
        try Authorization.requireFull(context.principal)
        let brain = try Self.brain(request.uri.queryParameters.get("brain"))
        let count = try await database.retryFailed(brain: brain)
        if count > 0 { sync.localChangesCommitted() }
        return JSONResponse.make(RetryResult(retried: count))
    }

    private static func brain(_ text: String?) throws -> BrainKind? {
        guard let text else { return nil }
        guard let brain = BrainKind(name: text) else {
            throw BrainError.invalid(field: "brain", reason: "'\(text)' is not company or user")
        }
        return brain
    }
}
