import BrainCore
import BrainSync
import Synchronization

/// Forwards to a client and adds up the time spent in `list`, so the benchmark can split a run
/// into waiting for Mem0 and everything else.
final class TimedMem0Client: Mem0Client {
    private let base: any Mem0Client
    private let listTime = Mutex((calls: 0, seconds: 0.0))

    init(_ base: any Mem0Client) { self.base = base }

    /// `list` calls and the seconds they took, from call to decoded answer.
    var lists: (calls: Int, seconds: Double) { listTime.withLock { $0 } }

    func list(userID: String, metadataFilter: [String: JSONValue]?) async throws -> [Mem0Memory] {
        let started = ContinuousClock.now
        defer {
            let elapsed = (ContinuousClock.now - started).seconds
            listTime.withLock { $0 = ($0.calls + 1, $0.seconds + elapsed) }
        }
        return try await base.list(userID: userID, metadataFilter: metadataFilter)
    }

    func ping() async throws -> Mem0PingResponse { try await base.ping() }
    func add(text: String, userID: String, metadata: [String: JSONValue]) async throws -> Mem0AddOutcome {
        try await base.add(text: text, userID: userID, metadata: metadata)
    }
    func event(id: String) async throws -> Mem0Event { try await base.event(id: id) }
    func get(id: String) async throws -> Mem0Memory { try await base.get(id: id) }
    func update(id: String, text: String?, metadata: [String: JSONValue]?) async throws -> Mem0Memory {
        try await base.update(id: id, text: text, metadata: metadata)
    }
    func delete(id: String) async throws { try await base.delete(id: id) }
    func search(query: String, userID: String, topK: Int, threshold: Double?) async throws -> [Mem0Memory] {
        try await base.search(query: query, userID: userID, topK: topK, threshold: threshold)
    }
    func entities() async throws -> [Mem0Entity] { try await base.entities() }
}
