import BrainCore
import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// Saves a batch of memories for one owner, with the SQLite store's rules: a new slug is
    /// `created`; a changed content, category or metadata is `updated` (version + 1, pending
    /// push); an identical item is `unchanged` and writes nothing. An invalid item fails alone;
    /// the valid items commit in one transaction. An owner named by a RUT not seen before is created.
    public func save(_ brain: BrainKind, owner reference: OwnerReference, memories: [MemoryInput]) async throws -> SaveBatchResult {
        try await save(brain, owner: reference, memories: memories, source: .save)
    }

    /// A save recording who writes: agents' saves are `.save`, a load's are `.loader`.
    public func save(
        _ brain: BrainKind, owner reference: OwnerReference, memories: [MemoryInput], source: MemorySource
    ) async throws -> SaveBatchResult {
        guard !memories.isEmpty else {
            throw BrainError.invalid(field: "memories", reason: "must hold at least one memory")
        }
        guard memories.count <= MemoryLimits.batchMaxItems else {
            throw BrainError.invalid(field: "memories", reason: "at most \(MemoryLimits.batchMaxItems) items per batch")
        }
        let validated: [Result<ValidMemory, BrainError>] = memories.enumerated().map { index, input in
            Result { () throws(BrainError) in try input.validated(field: "memories[\(index)]") }
        }
        // Rows are locked and inserted in slug order, so two batches touching the same slugs in
        // opposite orders queue behind each other instead of deadlocking. The sort is stable: the
        // same slug twice is written twice, in the caller's order, as the SQLite store does.
        let writes = validated.enumerated()
            .compactMap { index, outcome in (try? outcome.get()).map { (index: index, memory: $0) } }
            .sorted { $0.memory.slug < $1.memory.slug }
        var written: [Int: SaveItemResult] = [:]
        if !writes.isEmpty {
            let results = try await transaction(retryConflicts: true) { connection in
                let owner = try await Self.resolve(reference, brain: brain, create: true, on: connection, logger: self.logger)
                return try await self.upsert(writes.map(\.memory), brain: brain, owner: owner, source: source.rawValue, on: connection)
            }
            for (write, result) in zip(writes, results) { written[write.index] = result }
        } else if case .id = reference {
            // Still report an unknown owner id, even when every item is invalid.
            _ = try await resolve(reference, brain: brain)
        }
        let items = validated.enumerated().map { index, outcome -> SaveItemResult in
            switch outcome {
            case .success: return written[index]!
            case .failure(let error):
                return SaveItemResult(slug: memories[index].slug, status: .failed, syncState: nil, error: error.description)
            }
        }
        return SaveBatchResult(items: items, brain: brain)
    }

    /// Upserts validated memories (sorted by slug) inside the caller's transaction.
    private func upsert(
        _ memories: [ValidMemory], brain: BrainKind, owner: Owner, source: String, on connection: PostgresConnection
    ) async throws -> [SaveItemResult] {
        let table = brain.table
        let ownerColumn = brain.ownerColumn
        let ownerID = UUID(uuidString: owner.id)!
        let slugs = Array(Set(memories.map(\.slug))).sorted()
        // One round trip reads and locks every existing row of the batch, in slug order.
        var existing: [String: PostgresBrainRow] = [:]
        for row in try await connection.brainRows(
            "\(unescaped: PostgresBrainRow.select(brain)) WHERE b.\(unescaped: ownerColumn) = \(ownerID) AND b.slug = ANY(\(slugs)) ORDER BY b.slug FOR UPDATE OF b",
            logger: logger)
        {
            existing[row.slug] = row
        }
        var results: [SaveItemResult] = []
        var events: [JournalEntry] = []
        for memory in memories {
            let metadataText = try CanonicalJSON.encode(memory.metadata)
            if existing[memory.slug] == nil {
                // ON CONFLICT DO NOTHING: a concurrent batch may have inserted the slug since the
                // read; then its row is locked and updated like any existing row.
                let inserted = try await connection.brainRows(
                    """
                    WITH b AS (
                        INSERT INTO \(unescaped: table) (\(unescaped: ownerColumn), slug, category, content, extra_metadata, source)
                        VALUES (\(ownerID), \(memory.slug), \(memory.category), \(memory.content), \(metadataText)::jsonb, \(source))
                        ON CONFLICT (\(unescaped: ownerColumn), slug) DO NOTHING
                        RETURNING *)
                    SELECT \(unescaped: PostgresBrainRow.columns(brain)) FROM b \(unescaped: PostgresBrainRow.ownerJoin(brain))
                    """, logger: logger)
                if let row = inserted.first {
                    existing[memory.slug] = row
                    events.append(JournalEntry(kind: .created, brain: brain, ownerID: owner.id, recordID: row.id, slug: memory.slug, version: 1))
                    results.append(SaveItemResult(slug: memory.slug, status: .created, syncState: .pending, error: nil))
                    continue
                }
                existing[memory.slug] = try await connection.brainRows(
                    "\(unescaped: PostgresBrainRow.select(brain)) WHERE b.\(unescaped: ownerColumn) = \(ownerID) AND b.slug = \(memory.slug) FOR UPDATE OF b",
                    logger: logger
                ).first
            }
            guard let row = existing[memory.slug] else {
                throw BrainError.storageUnavailable(reason: "the row of \(memory.slug) vanished during the save")
            }
            let identical = !row.deleted && row.content == memory.content && row.category == memory.category
                && row.metadata == memory.metadata
            if identical {
                // A load that finds a row exactly as it would write it takes it over; the
                // content does not change, so neither do the version, the journal or Mem0.
                if source == "loader" && row.source != "loader" {
                    try await connection.execute("UPDATE \(unescaped: table) SET source = 'loader' WHERE id = \(UUID(uuidString: row.id)!)", logger: logger)
                    existing[memory.slug]?.source = "loader"
                }
                results.append(SaveItemResult(slug: memory.slug, status: .unchanged, syncState: row.syncState, error: nil))
                continue
            }
            // A tombstone comes back to life under its old id: Mem0 still holds (or will hold)
            // its memory, so the next push is an update. A row whose push is in flight stays in
            // flight: the push's outcome makes it pending again, while a second claim meanwhile
            // could add it twice.
            let version = row.version + 1
            try await connection.execute(
                """
                UPDATE \(unescaped: table)
                SET category = \(memory.category), content = \(memory.content), extra_metadata = \(metadataText)::jsonb,
                    updated_at = now(), version = \(version), deleted = false, source = \(source),
                    sync_state = CASE sync_state WHEN 'in_flight' THEN 'in_flight' ELSE 'pending' END,
                    sync_attempts = 0, next_attempt_at = NULL, last_error = NULL,
                    created_at = CASE WHEN deleted THEN now() ELSE created_at END
                WHERE id = \(UUID(uuidString: row.id)!)
                """, logger: logger)
            let status: SaveStatus = row.deleted ? .created : .updated
            events.append(JournalEntry(
                kind: status == .created ? .created : .updated, brain: brain, ownerID: owner.id, recordID: row.id,
                slug: memory.slug, version: version))
            existing[memory.slug]?.version = version
            existing[memory.slug]?.content = memory.content
            existing[memory.slug]?.category = memory.category
            existing[memory.slug]?.metadata = memory.metadata
            existing[memory.slug]?.deleted = false
            existing[memory.slug]?.source = source
            let state: SyncState = row.syncState == .inFlight ? .inFlight : .pending
            existing[memory.slug]?.syncState = state
            results.append(SaveItemResult(slug: memory.slug, status: status, syncState: state, error: nil))
        }
        try await Self.journal(events, on: connection, logger: logger)
        return results
    }
}
