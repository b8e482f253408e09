import BrainCore
import Hummingbird

/// `/v1/search`: the agents' recall. Local full-text search, Mem0's search, or Mem0 with a short
/// deadline falling back to local (`auto`, the default). Every answer says which source answered.
struct SearchController<Context: BrainContext> {
    let database: any MemoryStore & OwnerStore
    /// Nil when no Mem0 key is configured.
    let remote: (any RemoteSearch)?
    let settings: APISettings

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("search", use: get)
        group.post("search", use: post)
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        func required(_ name: String) throws -> String {
            guard let value = query.get(name), !value.isEmpty else { throw BrainError.invalid(field: name, reason: "is required") }
            return value
        }
        let brainText = try required("brain")
        guard let brain = BrainKind(name: brainText) else {
            throw BrainError.invalid(field: "brain", reason: "'\(brainText)' is not company or user")
        }
        var limit: Int?
        if let text = query.get("limit") {
            guard let value = Int(text) else { throw BrainError.invalid(field: "limit", reason: "'\(text)' is not an integer") }
            limit = value
        }
        var mode: SearchMode?
        if let text = query.get("mode") {
            guard let value = SearchMode(rawValue: text) else {
                throw BrainError.invalid(field: "mode", reason: "'\(text)' is not one of auto, local, remote")
            }
            mode = value
        }
        let search = SearchRequest(q: try required("q"), owner: try required("owner"), brain: brain, limit: limit, mode: mode)
        return JSONResponse.make(try await answer(search, principal: context.principal))
    }

    @Sendable func post(_ request: Request, context: Context) async throws -> Response {
        let search = try await JSONResponse.decode(SearchRequest.self, from: request, limit: settings.maxBodyBytes)
        return JSONResponse.make(try await answer(search, principal: context.principal))
    }

    private func answer(_ search: SearchRequest, principal: Principal) async throws -> SearchResponse {
        let owner = try OwnerReference(search.owner, verifyCheckDigit: settings.verifyRUTCheckDigit)
        try await Authorization.require(principal, brain: search.brain, owner: owner, write: false, database: database)
        let limit = search.limit ?? 10
        try StoreLimits.checkSearchLimit(limit)
        let mode = search.mode ?? .auto
        let reads = Authorization.reads(principal, database: database)
        func local(_ reason: String?) async throws -> SearchResponse {
            let hits = try await reads.searchLocal(search.brain, owner: owner, query: search.q, limit: limit)
            return SearchResponse(source: "local", mode: mode, results: hits, fallbackReason: reason)
        }
        switch mode {
        case .local:
            return try await local(nil)
        case .remote:
            guard let remote else {
                throw APIError(status: .conflict, code: "mem0_not_configured", message: "remote search needs Mem0: set MEM0_API_KEY and restart braind")
            }
            do {
                return SearchResponse(source: "mem0", mode: mode, results: try await remoteHits(remote, search, owner: owner, reads: reads, limit: limit, deadline: nil))
            } catch let error as BrainError {
                throw error
            } catch {
                throw APIError(status: .badGateway, code: "mem0_unavailable", message: "Mem0 search failed: \(error)")
            }
        case .auto:
            guard let remote else { return try await local("offline: no MEM0_API_KEY") }
            // Validate locally first, so bad input is a 4xx whatever Mem0 would have said.
            _ = try await reads.searchLocal(search.brain, owner: owner, query: search.q, limit: 1)
            do {
                let hits = try await remoteHits(remote, search, owner: owner, reads: reads, limit: limit, deadline: settings.remoteSearchDeadline)
                return SearchResponse(source: "mem0", mode: mode, results: hits)
            } catch let error as BrainError {
                throw error
            } catch {
                return try await local("\(error)")
            }
        }
    }

    /// Mem0's hits for the entity, kept to the asked brain and mapped back to this owner's rows.
    private func remoteHits(
        _ remote: any RemoteSearch, _ search: SearchRequest, owner: OwnerReference, reads: any MemoryReads, limit: Int, deadline: Duration?
    ) async throws -> [SearchHit] {
        let entity = try await database.entity(search.brain, owner: owner)
        let hits = try await remote.search(query: search.q, entity: entity, limit: limit, deadline: deadline)
            .filter { $0.brain == search.brain.rawValue }
        let rows = try await reads.memories(search.brain, owner: owner, memoryIDs: hits.map(\.memoryID))
        return Array(hits.compactMap { hit in rows[hit.memoryID].map { SearchHit(memory: $0, score: hit.score) } }.prefix(limit))
    }
}
