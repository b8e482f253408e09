import BrainCore
import GRDB

extension BrainDatabase {
    /// Deletes a memory by slug. It disappears from reads at once. If Mem0 may hold it, the row
    /// stays as a tombstone for the push worker to delete remotely; if it never reached Mem0 (no
    /// id and no add whose outcome is unknown) it is purged now.
    public func delete(_ brain: BrainKind, owner reference: OwnerReference, slug: String) async throws -> DeleteResult {
        let slug = try MemoryInput.validSlug(slug)
        return try await storageWrite { db in
            let owner = try Owner.resolve(reference, brain: brain, create: false, in: db)
            guard let row = try Self.liveRow(brain, ownerID: owner.id, slug: slug, in: db) else {
                throw BrainError.memoryNotFound(brain: brain, owner: reference.description, slug: slug)
            }
            return try Self.remove(row, brain: brain, in: db)
        }
    }

    /// Deletes a memory only if the loader wrote it; nil when there is no such live row. The check
    /// and the delete share one transaction, so an agent's save that lands just before is kept.
    public func deleteLoaderMemory(_ brain: BrainKind, ownerID: String, slug: String) async throws -> DeleteResult? {
        try await storageWrite { db in
            guard let row = try Self.liveRow(brain, ownerID: ownerID, slug: slug, in: db), row.source == .loader else { return nil }
            return try Self.remove(row, brain: brain, in: db)
        }
    }

    private static func liveRow(_ brain: BrainKind, ownerID: String, slug: String, in db: Database) throws -> BrainRow? {
        try BrainRow.fetchOne(
            db, sql: BrainRow.select(brain) + " WHERE b.\(brain.ownerColumn) = ? AND b.slug = ? AND b.deleted = 0",
            arguments: [ownerID, slug])
    }

    /// Purges a row Mem0 never saw, or tombstones it for the push worker.
    private static func remove(_ row: BrainRow, brain: BrainKind, in db: Database) throws -> DeleteResult {
        if DeleteRule.decide(memoryID: row.memoryID, addStarted: row.pushStartedAt != nil) == .purge {
            try db.execute(sql: "DELETE FROM \(brain.table) WHERE id = ?", arguments: [row.id])
            try EventJournal.append(.purged, brain: brain, ownerID: row.ownerID, recordID: row.id, slug: row.slug, version: row.version, in: db)
            return DeleteResult(slug: row.slug, status: "purged")
        }
        let version = row.version + 1
        try db.execute(
            sql: """
                UPDATE \(brain.table)
                SET deleted = 1, version = ?, updated_at = ?, sync_attempts = 0,
                    sync_state = CASE sync_state WHEN 'in_flight' THEN 'in_flight' ELSE 'pending' END,
                    next_attempt_at = NULL, last_error = NULL
                WHERE id = ?
                """,
            arguments: [version, Timestamp.now(), row.id])
        try EventJournal.append(.deleted, brain: brain, ownerID: row.ownerID, recordID: row.id, slug: row.slug, version: version, in: db)
        return DeleteResult(slug: row.slug, status: "tombstoned")
    }
}
