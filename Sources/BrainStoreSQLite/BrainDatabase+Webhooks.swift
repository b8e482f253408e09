import BrainCore
import GRDB

extension BrainDatabase {
    /// The row that points at a Mem0 memory, in either brain; nil when none does.
    public func reconcileRow(memoryID: String) async throws -> ReconcileRow? {
        try await writer.read { db in
            for brain in BrainKind.allCases {
                if let row = try BrainRow.fetchOne(db, sql: BrainRow.select(brain) + " WHERE b.memory_id = ?", arguments: [memoryID]) {
                    return ReconcileRow(task: row.pushTask(brain: brain), syncState: row.syncState, syncedVersion: row.syncedVersion)
                }
            }
            return nil
        }
    }

    /// The row with this id in one brain; nil when there is none.
    public func reconcileRow(recordID: String, brain: BrainKind) async throws -> ReconcileRow? {
        try await writer.read { db in
            try BrainRow.fetchOne(db, sql: BrainRow.select(brain) + " WHERE b.id = ?", arguments: [recordID])
                .map { ReconcileRow(task: $0.pushTask(brain: brain), syncState: $0.syncState, syncedVersion: $0.syncedVersion) }
        }
    }
}
