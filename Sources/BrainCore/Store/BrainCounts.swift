/// Row counts of one brain by sync state.
public struct BrainCounts: Sendable, Codable, Equatable {
    /// Live memories (tombstones excluded).
    public var live: Int = 0
    public var pending: Int = 0
    public var inFlight: Int = 0
    public var synced: Int = 0
    public var failed: Int = 0
    /// Deleted locally, not yet deleted in Mem0.
    public var tombstones: Int = 0
    /// Creation time of the oldest row still waiting for a push, if any.
    public var oldestPendingSince: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case live, pending, synced, failed, tombstones
        case inFlight = "in_flight"
        case oldestPendingSince = "oldest_pending_since"
    }
}
