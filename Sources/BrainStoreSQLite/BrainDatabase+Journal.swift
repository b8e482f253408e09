import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Deletes journal entries older than `cutoff`, at most `batch` per transaction so that saves
    /// never wait long behind the pruning. Returns how many entries went.
    @discardableResult
    public func pruneEvents(olderThan cutoff: Date, batch: Int = 5_000) async throws -> Int {
        let cutoffText = Timestamp.string(from: cutoff)
        var removed = 0
        while true {
            let count = try await storageWrite { db in
                try db.execute(
                    sql: "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < ? ORDER BY id LIMIT ?)",
                    arguments: [cutoffText, batch])
                return db.changesCount
            }
            removed += count
            if count < batch { return removed }
        }
    }

    /// Entries in the journal, for status and tests.
    public func eventCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }
}
