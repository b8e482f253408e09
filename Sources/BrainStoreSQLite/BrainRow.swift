import BrainCore
import Foundation
import GRDB

/// A brain table row joined with its owner's RUT. Both brain tables share this shape; the table
/// is chosen by `BrainKind`, so the SQL is written once.
struct BrainRow: FetchableRecord, Sendable {
    var id: String
    var ownerID: String
    var ownerRUT: String
    var memoryID: String?
    var slug: String
    var category: String?
    var content: String
    var extraMetadata: String
    var createdAt: String
    var updatedAt: String
    var version: Int
    var syncedVersion: Int
    var syncState: SyncState
    var lastError: String?
    var pushStartedAt: String?
    var deleted: Bool
    var attempts: Int
    /// Who wrote the row last; `save` where a query does not select it.
    var source: MemorySource

    init(row: Row) throws {
        id = row["id"]
        ownerID = row["owner_id"]
        ownerRUT = row["owner_rut"]
        memoryID = row["memory_id"]
        slug = row["slug"]
        category = row["category"]
        content = row["content"]
        extraMetadata = row["extra_metadata"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
        version = row["version"]
        syncedVersion = row["synced_version"]
        let state: String = row["sync_state"]
        syncState = SyncState(rawValue: state) ?? .pending
        lastError = row["last_error"]
        pushStartedAt = row["push_started_at"]
        deleted = row["deleted"]
        attempts = row["sync_attempts"]
        source = (row["source"] as String?).flatMap(MemorySource.init(rawValue:)) ?? .save
    }

    /// `SELECT` of every column this type reads, for one brain, aliased to shared names.
    static func select(_ brain: BrainKind) -> String {
        """
        SELECT b.id, b.\(brain.ownerColumn) AS owner_id, o.rut AS owner_rut, b.memory_id, b.slug, b.category,
               b.content, b.extra_metadata, b.created_at, b.updated_at, b.version, b.synced_version,
               b.sync_state, b.last_error, b.push_started_at, b.deleted, b.sync_attempts, b.source
        FROM \(brain.table) b JOIN \(brain.ownerTable) o ON o.id = b.\(brain.ownerColumn)
        """
    }

    func memory(brain: BrainKind) -> Memory {
        // Most rows carry no metadata; skipping the decoder for "{}" matters when a reconcile or a
        // list reads thousands of rows.
        let metadata = extraMetadata == "{}"
            ? [:] : (try? JSONDecoder().decode([String: JSONValue].self, from: Data(extraMetadata.utf8))) ?? [:]
        return Memory(
            id: id, brain: brain, ownerID: ownerID, ownerRUT: ownerRUT, slug: slug, category: category,
            content: content, metadata: metadata, memoryID: memoryID, version: version,
            syncedVersion: syncedVersion, syncState: syncState, lastError: lastError,
            createdAt: createdAt, updatedAt: updatedAt)
    }
}
