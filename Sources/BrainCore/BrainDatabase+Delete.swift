import GRDB

extension BrainDatabase {
    /// Deletes a memory by slug. It disappears from reads at once. If Mem0 may hold it, the row
    /// stays as a tombstone for the push worker to delete remotely; if it never reached Mem0 (no
    /// id and no add whose outcome is unknown) it is purged now.
    public func delete(_ brain: BrainKind, owner reference: OwnerReference, slug: String) async throws -> DeleteResult {
        let slug = try MemoryInput.validSlug(slug)
        return try await storageWrite { db in
            let owner = try Owner.resolve(reference, brain: brain, create: false, in: db)
            guard
                let row = try BrainRow.fetchOne(
                    db, sql: BrainRow.select(brain) + " WHERE b.\(brain.ownerColumn) = ? AND b.slug = ? AND b.deleted = 0",
                    arguments: [owner.id, slug])
            else { throw BrainError.memoryNotFound(brain: brain, owner: reference.description, slug: slug) }

            if row.memoryID == nil && row.pushStartedAt == nil {
                try db.execute(sql: "DELETE FROM \(brain.table) WHERE id = ?", arguments: [row.id])
                try EventJournal.append(.purged, brain: brain, ownerID: owner.id, recordID: row.id, slug: slug, version: row.version, in: db)
                return DeleteResult(slug: slug, status: "purged")
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
            try EventJournal.append(.deleted, brain: brain, ownerID: owner.id, recordID: row.id, slug: slug, version: version, in: db)
            return DeleteResult(slug: slug, status: "tombstoned")
        }
    }
}
