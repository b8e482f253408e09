import BrainCore
import Hummingbird

/// `/v1/{companies|users}/{owner}/memories[/{slug}]`: the seed's save operations plus reads and
/// deletes, for one brain.
struct MemoriesController<Context: BrainContext> {
    let brain: BrainKind
    let database: any MemoryStore & OwnerStore
    let sync: any SyncControl
    let settings: APISettings

    func addRoutes(to group: RouterGroup<Context>) {
        group.group("\(brain.pathSegment)/:owner/memories")
            .post(use: save)
            .get(use: list)
            .get(":slug", use: get)
            .delete(":slug", use: delete)
    }

    @Sendable func save(_ request: Request, context: Context) async throws -> Response {
        let owner = try owner(context)
        try await Authorization.require(context.principal, brain: brain, owner: owner, write: true, database: database)
        let body = try await JSONResponse.decode(SaveBatchRequest.self, from: request, limit: settings.maxBodyBytes)
        let result = try await database.save(brain, owner: owner, memories: body.memories)
        APIMetrics.recordSave(result, brain: brain)
        if result.items.contains(where: { $0.status == .created || $0.status == .updated }) {
            sync.localChangesCommitted()
        }
        return JSONResponse.make(line: result.jsonLine())
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let owner = try owner(context)
        try await Authorization.require(context.principal, brain: brain, owner: owner, write: false, database: database)
        let query = request.uri.queryParameters
        var limit = StoreLimits.defaultPageSize
        if let text = query.get("limit") {
            guard let value = Int(text) else {
                throw BrainError.invalid(field: "limit", reason: "'\(text)' is not an integer")
            }
            limit = value
        }
        let page = try await Authorization.reads(context.principal, database: database).list(
            brain, owner: owner, category: query.get("category"), limit: limit, cursor: query.get("cursor"))
        return JSONResponse.make(page)
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let owner = try owner(context)
        try await Authorization.require(context.principal, brain: brain, owner: owner, write: false, database: database)
        let memory = try await Authorization.reads(context.principal, database: database)
            .memory(brain, owner: owner, slug: try slug(context))
        return JSONResponse.make(memory)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let owner = try owner(context)
        try await Authorization.require(context.principal, brain: brain, owner: owner, write: true, database: database)
        let result = try await database.delete(brain, owner: owner, slug: try slug(context))
        if result.status == "tombstoned" { sync.localChangesCommitted() }
        return JSONResponse.make(result)
    }

    private func owner(_ context: Context) throws -> OwnerReference {
        let text = try context.parameters.require("owner")
        return try OwnerReference(text.percentDecoded, verifyCheckDigit: settings.verifyRUTCheckDigit)
    }

    /// Decoded like the owner, so messages show the slug as the client meant it (`'Kô'`, not `'K%C3%B4'`).
    private func slug(_ context: Context) throws -> String {
        let text = try context.parameters.require("slug")
        return text.percentDecoded
    }
}
