import Foundation
import Hummingbird

/// One entry of a memory's history, as `GET /v1/memories/{id}/history/` answers it.
struct FakeHistoryEntry: Sendable {
    var id = UUID().uuidString.lowercased()
    var memoryID: String
    var event: String
    var oldMemory: String?
    var newMemory: String?
    var userID: String?
    var metadata: [String: FakeJSON]?
    var at = Date()

    var json: FakeJSON {
        [
            "id": .string(id), "memory_id": .string(memoryID), "input": [], "old_memory": oldMemory.json, "new_memory": newMemory.json,
            "user_id": userID.json, "agent_id": nil, "app_id": nil, "session_id": nil, "categories": [], "event": .string(event),
            "metadata": metadata.map(FakeJSON.object) ?? .null, "created_at": .string(FakeTimestamp.string(at)),
            "updated_at": .string(FakeTimestamp.string(at)),
        ]
    }
}

/// What the official `MemoryClient` calls beyond braind's own needs: history and the batch routes,
/// so the fake serves offline development of other Mem0 clients too.
extension FakeMem0PlatformRoutes {
    /// Most memories one batch call may touch.
    static let maxBatch = 1_000

    func registerHistoryAndBatch(on router: Router<FakeMem0Context>) {
        router.get("/v1/memories/:id/history/", use: serve(.get, history))
        router.put("/v1/batch/", use: serve(.update, batchUpdate))
        router.delete("/v1/batch/", use: serve(.delete, batchDelete))
    }

    private func history(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard FakeMem0HTTP.isUUID(id) else { return FakeMem0HTTP.invalidUUID }
        guard let entries = await store.history(id: id) else { return FakeMem0HTTP.memoryNotFound }
        return FakeMem0HTTP.json(.array(entries.map(\.json)))
    }

    /// The `memories` array of a batch body, or the 400 answer.
    private func batchItems(_ request: Request, verb: String) async throws -> Result<[FakeJSON], FakeMem0ControlCoding.Invalid> {
        guard case .success(let body?) = try await FakeMem0HTTP.body(of: request), let items = body["memories"]?.arrayValue, !items.isEmpty else {
            return .failure(.init(message: "memories must be a non-empty list"))
        }
        guard items.count <= Self.maxBatch else {
            return .failure(.init(message: "Maximum of \(Self.maxBatch) memories can be \(verb) in a single request"))
        }
        return .success(items)
    }

    private func batchUpdate(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let items: [FakeJSON]
        switch try await batchItems(request, verb: "updated") {
        case .success(let found): items = found
        case .failure(let invalid): return FakeMem0HTTP.json(["error": .string(invalid.message)], status: .badRequest)
        }
        var updated = 0
        for item in items {
            guard let id = item["memory_id"]?.stringValue else { continue }
            let metadata: [String: FakeJSON]?? = item["metadata"].map { $0.objectValue }
            if await store.update(id: id, text: item["text"]?.stringValue, metadata: metadata) != nil { updated += 1 }
        }
        return FakeMem0HTTP.json(["message": .string("Successfully updated \(updated) memories")])
    }

    private func batchDelete(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let items: [FakeJSON]
        switch try await batchItems(request, verb: "deleted") {
        case .success(let found): items = found
        case .failure(let invalid): return FakeMem0HTTP.json(["error": .string(invalid.message)], status: .badRequest)
        }
        var deleted = 0
        for item in items {
            if let id = item["memory_id"]?.stringValue, await store.delete(id: id) { deleted += 1 }
        }
        return FakeMem0HTTP.json(["message": .string("Successfully deleted \(deleted) memories")])
    }
}
