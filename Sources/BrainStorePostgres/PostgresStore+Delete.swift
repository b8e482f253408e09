import BrainCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// Deletes a memory by slug. It disappears from reads at once. If Mem0 may hold it, the row
    /// stays as a tombstone for the push worker to delete remotely; if it never reached Mem0 (no
    /// id and no add whose outcome is unknown) it is purged now.
    public func delete(_ brain: BrainKind, owner reference: OwnerReference, slug: String) async throws -> DeleteResult {
        let slug = try MemoryInput.validSlug(slug)
        return try await transaction { connection in
            let owner = try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: self.logger)
            guard let row = try await Self.liveRow(brain, ownerID: owner.id, slug: slug, on: connection, logger: self.logger) else {
                throw BrainError.memoryNotFound(brain: brain, owner: reference.description, slug: slug)
            }
            return try await Self.remove(row, brain: brain, on: connection, logger: self.logger)
        }
    }

    /// Deletes a memory only if the loader wrote it; nil when there is no such live row. The check
    /// and the delete share one transaction, so an agent's save that lands just before is kept.
    public func deleteLoaderMemory(_ brain: BrainKind, ownerID: String, slug: String) async throws -> DeleteResult? {
        try await transaction { connection in
            guard let row = try await Self.liveRow(brain, ownerID: ownerID, slug: slug, on: connection, logger: self.logger),
                row.source == "loader"
            else { return nil }
            return try await Self.remove(row, brain: brain, on: connection, logger: self.logger)
        }
    }

    private static func liveRow(
        _ brain: BrainKind, ownerID: String, slug: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> PostgresBrainRow? {
        try await connection.brainRows(
            "\(unescaped: PostgresBrainRow.select(brain)) WHERE b.\(unescaped: brain.ownerColumn) = \(UUID(uuidString: ownerID)!) AND b.slug = \(slug) AND NOT b.deleted FOR UPDATE OF b",
            logger: logger
        ).first
    }

    /// Purges a row Mem0 never saw, or tombstones it for the push worker.
    private static func remove(
        _ row: PostgresBrainRow, brain: BrainKind, on connection: PostgresConnection, logger: Logger
    ) async throws -> DeleteResult {
        let id = UUID(uuidString: row.id)!
        if DeleteRule.decide(memoryID: row.memoryID, addStarted: row.pushStartedAt != nil) == .purge {
            try await connection.execute("DELETE FROM \(unescaped: brain.table) WHERE id = \(id)", logger: logger)
            try await journal(
                JournalEntry(kind: .purged, brain: brain, ownerID: row.ownerID, recordID: row.id, slug: row.slug, version: row.version),
                on: connection, logger: logger)
            return DeleteResult(slug: row.slug, status: "purged")
        }
        let version = row.version + 1
        try await connection.execute(
            """
            UPDATE \(unescaped: brain.table)
            SET deleted = true, version = \(version), updated_at = now(), sync_attempts = 0,
                sync_state = CASE sync_state WHEN 'in_flight' THEN 'in_flight' ELSE 'pending' END,
                next_attempt_at = NULL, last_error = NULL
            WHERE id = \(id)
            """, logger: logger)
        try await journal(
            JournalEntry(kind: .deleted, brain: brain, ownerID: row.ownerID, recordID: row.id, slug: row.slug, version: version),
            on: connection, logger: logger)
        return DeleteResult(slug: row.slug, status: "tombstoned")
    }
}
