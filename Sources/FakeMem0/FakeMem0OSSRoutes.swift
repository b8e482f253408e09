import Foundation
import Hummingbird

/// Mem0's self-hosted OSS REST server (`server/main.py`), as the wire reference describes it:
/// no prefix and no trailing slash, `X-API-Key`, synchronous adds, a listing capped by `top_k`
/// (default 20, at most 1000, no pages), 200 `null` for a missing memory, updates that merge
/// metadata and answer a message, FastAPI `{"detail"}` errors. The same latency, faults and
/// request log as the Platform routes.
extension FakeMem0PlatformRoutes {
    /// `top_k` of a listing when none is given, and its largest value.
    static let ossDefaultTopK = 20
    static let ossMaxTopK = 1_000

    func registerOSS(on router: Router<FakeMem0Context>) {
        router.post("/memories", use: serve(.add, ossAdd))
        router.get("/memories", use: serve(.list, ossList))
        router.get("/memories/:id", use: serve(.get, ossGet))
        router.put("/memories/:id", use: serve(.update, ossUpdate))
        router.delete("/memories/:id", use: serve(.delete, ossDelete))
        router.post("/search", use: serve(.search, ossSearch))
        router.get("/entities", use: serve(.entities, ossEntities))
    }

    static func authorizedOSS(_ request: Request, settings: FakeMem0Settings) -> Response? {
        guard let key = settings.apiKey else { return nil }  // AUTH_DISABLED=true
        guard let sent = request.headers[HTTPFields.Element.Name("X-API-Key")!], !sent.isEmpty else {
            return detail("Authentication required. Provide a Bearer token or X-API-Key header.", status: .unauthorized)
        }
        return sent == key ? nil : detail("Invalid API key.", status: .unauthorized)
    }

    private static func detail(_ message: String, status: HTTPResponse.Status) -> Response {
        FakeMem0HTTP.json(["detail": .string(message)], status: status)
    }

    private func ossAdd(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard case .success(let body?) = try await FakeMem0HTTP.body(of: request), let object = body.objectValue else {
            return Self.detail("Invalid request body.", status: .unprocessableContent)
        }
        let texts = (object["messages"]?.arrayValue ?? []).compactMap { message in
            message["role"]?.stringValue == "system" ? nil : message["content"]?.stringValue
        }
        let ids = ["user_id", "agent_id", "run_id"].map { object[$0]?.stringValue }
        guard ids.contains(where: { $0 != nil }) else {
            return Self.detail("At least one identifier (user_id, agent_id, run_id) is required.", status: .badRequest)
        }
        let parsed = FakeAddRequest(
            texts: texts.filter { !$0.isEmpty }, userID: ids[0], agentID: ids[1], appID: nil, runID: ids[2],
            metadata: object["metadata"]?.objectValue, infer: object["infer"] != .bool(false), payload: body)
        let created = await store.addOSS(parsed)
        return FakeMem0HTTP.json([
            "results": .array(created.map { ["id": .string($0.id), "memory": .string($0.memory), "event": "ADD", "actor_id": nil, "role": "user"] }),
        ])
    }

    private func ossList(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let query = request.uri.queryParameters
        let topK = query.get("top_k", as: Int.self) ?? Self.ossDefaultTopK
        guard (1...Self.ossMaxTopK).contains(topK) else {
            return FakeMem0HTTP.json(["detail": [["loc": ["query", "top_k"], "msg": "Input should be less than or equal to 1000", "type": "less_than_equal"]]], status: .unprocessableContent)
        }
        guard let userID = query.get("user_id") else { return Self.detail("Admin access required.", status: .forbidden) }
        let memories = await store.allMemories(userID: userID).prefix(topK)
        return FakeMem0HTTP.json(["results": .array(memories.map(\.ossJSON))])
    }

    private func ossGet(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard let memory = await store.memory(id: context.parameters.get("id") ?? "") else { return FakeMem0HTTP.json(.null) }
        var json = memory.ossFields
        json["score"] = .null
        return FakeMem0HTTP.json(.object(json))
    }

    private func ossUpdate(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard case .success(let body?) = try await FakeMem0HTTP.body(of: request), let object = body.objectValue else {
            return Self.detail("Invalid request body.", status: .unprocessableContent)
        }
        // The OSS library's update merges metadata shallowly, whatever the Platform does.
        let sent = object["metadata"]?.objectValue
        guard await store.update(id: id, text: object["text"]?.stringValue, metadata: nil) != nil else {
            return Self.detail("Memory with id \(id) not found. Please provide a valid 'memory_id'", status: .notFound)
        }
        if let sent { _ = await store.edit(id: id) { $0.metadata = ($0.metadata ?? [:]).merging(sent) { _, new in new } } }
        return FakeMem0HTTP.json(["message": "Memory updated successfully!"])
    }

    private func ossDelete(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard await store.delete(id: id) else { return Self.detail("Memory with id \(id) not found", status: .notFound) }
        return FakeMem0HTTP.json(["message": "Memory deleted successfully"])
    }

    private func ossSearch(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard case .success(let body?) = try await FakeMem0HTTP.body(of: request), let object = body.objectValue,
            let query = object["query"]?.stringValue, !query.isEmpty
        else { return Self.detail("query is required.", status: .unprocessableContent) }
        // Top-level ids are deprecated but still merged into the filters.
        let userID = object["filters"]?["user_id"]?.stringValue ?? object["user_id"]?.stringValue
        guard let userID else { return Self.detail("At least one identifier (user_id, agent_id, run_id) is required.", status: .badRequest) }
        let topK = object["top_k"]?.intValue ?? 10
        let threshold = object["threshold"]?.doubleValue ?? 0.1
        let hits = await store.allMemories(userID: userID)
            .map { ($0, FakeMem0Scoring.score(query: query, text: $0.memory)) }
            .filter { $0.1 > 0 && $0.1 >= threshold }
            .sorted { $0.1 > $1.1 }
            .prefix(max(1, topK))
        return FakeMem0HTTP.json(["results": .array(hits.map { hit in
            var json = hit.0.ossFields
            json["score"] = .double(hit.1)
            return FakeJSON.object(json)
        })])
    }

    private func ossEntities(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let users = await store.userEntities()
        return FakeMem0HTTP.json(["results": .array(users.map { user in
            ["id": .string(user.name), "name": .string(user.name), "type": "user", "total_memories": nil,
             "created_at": .string(FakeTimestamp.string(user.createdAt)), "updated_at": .string(FakeTimestamp.string(user.updatedAt))]
        })])
    }
}

extension FakeMemory {
    /// The OSS item shape: no categories, `updated_at` null until the first update.
    var ossJSON: FakeJSON { .object(ossFields) }

    var ossFields: [String: FakeJSON] {
        [
            "id": .string(id), "memory": .string(memory), "metadata": metadata.map(FakeJSON.object) ?? .null,
            "created_at": .string(FakeTimestamp.string(createdAt)),
            "updated_at": updatedAt > createdAt ? .string(FakeTimestamp.string(updatedAt)) : .null,
            "user_id": userID.json,
        ]
    }
}
