import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Counts by sync state for one brain.
    public func counts(_ brain: BrainKind) async throws -> BrainCounts {
        try await read { connection in
            var counts = BrainCounts()
            let rows = try await connection.rows(
                "SELECT sync_state, deleted, count(*) FROM \(unescaped: brain.table) GROUP BY sync_state, deleted", logger: self.logger)
            for row in rows {
                let (state, deleted, n) = try row.decode((String, Bool, Int).self)
                if deleted { counts.tombstones += n } else { counts.live += n }
                switch SyncState(rawValue: state) {
                case .pending: counts.pending += n
                case .inFlight: counts.inFlight += n
                case .synced: counts.synced += n
                case .failed: counts.failed += n
                case nil: break
                }
            }
            counts.oldestPendingSince = try await connection.rows(
                """
                SELECT min(updated_at) FROM \(unescaped: brain.table)
                WHERE version > synced_version AND sync_state <> 'failed'
                """, logger: self.logger
            ).first?.decode(Date?.self).map(Timestamp.string(from:))
            return counts
        }
    }
}
