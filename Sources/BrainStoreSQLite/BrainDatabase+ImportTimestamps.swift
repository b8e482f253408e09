import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Gives memories an import just saved the times of their export. Each update applies only
    /// while the row still holds exactly what the import wrote, so a save that landed in
    /// between keeps its own time. The version and sync state do not change: Mem0 gets the
    /// memory through the normal push of the save before. One transaction for every group.
    public func applyImportedTimestamps(_ groups: [(brain: BrainKind, owner: OwnerReference, items: [ImportedTimestamps])]) async throws {
        typealias Row = (created: String?, updated: String?, slug: String, content: String, category: String?, metadata: String)
        let prepared: [(brain: BrainKind, owner: OwnerReference, rows: [Row])] = groups.map { group in
            (group.brain, group.owner, group.items.map { item in
                (item.createdAt, item.updatedAt, item.memory.slug, item.memory.content, item.memory.category,
                 item.memory.metadataText)
            })
        }
        _ = try await storageWrite { db in
            for group in prepared {
                let brain = group.brain
                let owner = try Owner.resolve(group.owner, brain: brain, create: false, in: db)
                let statement = try db.cachedStatement(
                    sql: """
                        UPDATE \(brain.table) SET created_at = coalesce(?, created_at), updated_at = coalesce(?, updated_at)
                        WHERE \(brain.ownerColumn) = ? AND slug = ? AND deleted = 0 AND content = ? AND category IS ? AND extra_metadata = ?
                        """)
                for row in group.rows {
                    try statement.execute(arguments: [row.created, row.updated, owner.id, row.slug, row.content, row.category, row.metadata])
                }
            }
        }
    }
}
