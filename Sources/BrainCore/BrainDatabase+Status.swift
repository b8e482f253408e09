import GRDB

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

extension BrainDatabase {
    /// Counts by sync state for one brain.
    public func counts(_ brain: BrainKind) async throws -> BrainCounts {
        try await storageRead { db in
            var counts = BrainCounts()
            let rows = try Row.fetchAll(
                db, sql: "SELECT sync_state, deleted, count(*) AS n FROM \(brain.table) GROUP BY sync_state, deleted")
            for row in rows {
                let n: Int = row["n"]
                let deleted: Bool = row["deleted"]
                if deleted { counts.tombstones += n } else { counts.live += n }
                switch SyncState(rawValue: row["sync_state"]) {
                case .pending: counts.pending += n
                case .inFlight: counts.inFlight += n
                case .synced: counts.synced += n
                case .failed: counts.failed += n
                case nil: break
                }
            }
            counts.oldestPendingSince = try String.fetchOne(
                db, sql: "SELECT min(updated_at) FROM \(brain.table) WHERE version > synced_version AND sync_state != 'failed'")
            return counts
        }
    }
}
