import BrainCore
import GRDB

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
