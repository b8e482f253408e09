import BrainCore

/// Mem0's search behind the `RemoteSearch` seam: `POST /v3/memories/search/` scoped to one entity.
public struct Mem0RemoteSearch: RemoteSearch {
    let client: any Mem0Client

    public init(client: any Mem0Client) {
        self.client = client
    }

    public func search(query: String, entity: String, limit: Int, deadline: Duration?) async throws -> [RemoteSearchHit] {
        // Both brains share the entity, so ask for more than needed and let the caller keep one brain.
        let call: @Sendable () async throws -> [RemoteSearchHit] = { [client] in
            try await client.search(query: query, userID: entity, topK: min(1_000, limit * 3), threshold: nil)
                .map { RemoteSearchHit(memoryID: $0.id, brain: $0.metadata["brain"]?.stringValue, score: $0.score ?? 0) }
        }
        guard let deadline else { return try await call() }
        return try await withThrowingTaskGroup(of: [RemoteSearchHit]?.self) { group in
            group.addTask { try await call() }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let hits = first else { throw RemoteSearchTimeout(deadline: deadline) }
            return hits
        }
    }
}

/// Mem0 did not answer a search within its deadline.
public struct RemoteSearchTimeout: Error, CustomStringConvertible {
    public var deadline: Duration
    public var description: String { "Mem0 did not answer within \(deadline)" }
}
