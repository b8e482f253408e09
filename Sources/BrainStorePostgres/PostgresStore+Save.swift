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
        let validated = try SaveBatch.validate(memories)
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
                return try await self.upsert(writes.map(\.memory), brain: brain, owner: owner, source: source, on: connection)
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

    /// Upserts validated memories (sorted by slug) inside the caller's transaction, in three
    /// round trips whatever the batch size: read and lock the batch's rows, insert the new ones,
    /// update the changed ones. Each item is decided by `SaveRule` against the row as the earlier
    /// items of the batch left it, so the same slug twice is created and then updated, as on SQLite.
    private func upsert(
        _ memories: [ValidMemory], brain: BrainKind, owner: Owner, source: MemorySource, on connection: PostgresConnection
    ) async throws -> [SaveItemResult] {
        let ownerID = UUID(uuidString: owner.id)!
        let slugs = Array(Set(memories.map(\.slug))).sorted()
        var rows: [String: PendingRow] = [:]
        for row in try await connection.brainRows(
            "\(unescaped: PostgresBrainRow.select(brain)) WHERE b.\(unescaped: brain.ownerColumn) = \(ownerID) AND b.slug = ANY(\(slugs)) ORDER BY b.slug FOR UPDATE OF b",
            logger: logger)
        {
            rows[row.slug] = try PendingRow(row)
        }
        var results: [SaveItemResult] = []
        var events: [JournalEntry] = []
        for memory in memories {
            let metadataText = memory.metadataText
            let current = rows[memory.slug]
            let decision = SaveRule.decide(existing: current?.state, incoming: memory, metadataText: metadataText, source: source)
            results.append(SaveRule.result(decision, slug: memory.slug, existingState: current?.state.syncState))
            switch decision {
            case .insert:
                let row = PendingRow(inserting: memory, metadataText: metadataText, source: source)
                rows[memory.slug] = row
                events.append(JournalEntry(kind: .created, brain: brain, ownerID: owner.id, recordID: row.id, slug: memory.slug, version: 1))
            case .unchanged(let adoptForLoader):
                if adoptForLoader { rows[memory.slug]?.adoptForLoader() }
            case .update(let resurrect):
                guard var row = current else { preconditionFailure("an update has a row") }
                row.apply(memory, metadataText: metadataText, source: source)
                rows[memory.slug] = row
                events.append(JournalEntry(
                    kind: resurrect ? .created : .updated, brain: brain, ownerID: owner.id, recordID: row.id,
                    slug: memory.slug, version: row.version))
            }
        }
        try await write(rows.values.sorted { $0.slug < $1.slug }, brain: brain, ownerID: ownerID, on: connection)
        try await Self.journal(events, on: connection, logger: logger)
        return results
    }

    /// Inserts the new rows and updates the changed ones, one statement each.
    private func write(_ rows: [PendingRow], brain: BrainKind, ownerID: UUID, on connection: PostgresConnection) async throws {
        let inserts = rows.filter(\.isNew)
        if !inserts.isEmpty {
            let payload = try PendingRow.payload(inserts)
            let inserted = try await connection.rows(
                """
                INSERT INTO \(unescaped: brain.table) AS b (id, \(unescaped: brain.ownerColumn), slug, category, content, extra_metadata, source, version)
                SELECT t.id, \(ownerID), t.slug, t.category, t.content, t.extra_metadata, t.source, t.version
                FROM jsonb_to_recordset(\(payload)::jsonb)
                     AS t(id uuid, slug text, category text, content text, extra_metadata jsonb, source text, version bigint)
                ORDER BY t.slug
                ON CONFLICT (\(unescaped: brain.ownerColumn), slug) DO NOTHING
                RETURNING b.id
                """, logger: logger)
            // A concurrent batch inserted one of these slugs after our read: run the whole
            // transaction again, when the read will find and lock that row.
            guard inserted.count == inserts.count else { throw PostgresErrors.concurrentInsert }
        }
        let updates = rows.filter { !$0.isNew && $0.changed }
        if !updates.isEmpty {
            let payload = try PendingRow.payload(updates)
            try await connection.execute(
                """
                UPDATE \(unescaped: brain.table) AS b
                SET category = t.category, content = t.content, extra_metadata = t.extra_metadata, updated_at = now(),
                    version = t.version, deleted = false, source = t.source,
                    sync_state = CASE b.sync_state WHEN 'in_flight' THEN 'in_flight' ELSE 'pending' END,
                    sync_attempts = 0, next_attempt_at = NULL, last_error = NULL,
                    created_at = CASE WHEN b.deleted THEN now() ELSE b.created_at END
                FROM jsonb_to_recordset(\(payload)::jsonb)
                     AS t(id uuid, slug text, category text, content text, extra_metadata jsonb, source text, version bigint)
                WHERE b.id = t.id
                """, logger: logger)
        }
        let adopted = rows.filter { !$0.isNew && !$0.changed && $0.sourceChanged }.map { UUID(uuidString: $0.id)! }
        if !adopted.isEmpty {
            try await connection.execute(
                "UPDATE \(unescaped: brain.table) SET source = 'loader' WHERE id = ANY(\(adopted))", logger: logger)
        }
    }
}

/// A row of a batch as the save leaves it: read from the database or new, then changed by the
/// batch's items in order. Only the final state is written.
private struct PendingRow: Encodable {
    var id: String
    var slug: String
    var category: String?
    var content: String
    var metadata: [String: JSONValue]
    var source: String
    var version: Int
    var isNew: Bool
    var changed = false
    var sourceChanged = false
    private var metadataText: String
    private var deleted: Bool
    private var syncState: SyncState

    var state: StoredMemoryState {
        StoredMemoryState(
            content: content, category: category, metadataText: metadataText, deleted: deleted,
            source: MemorySource(rawValue: source) ?? .save, syncState: syncState)
    }

    init(_ row: PostgresBrainRow) throws {
        id = row.id
        slug = row.slug
        category = row.category
        content = row.content
        metadata = row.metadata
        metadataText = try CanonicalJSON.encode(row.metadata)
        source = row.source
        version = row.version
        deleted = row.deleted
        syncState = row.syncState
        isNew = false
    }

    init(inserting memory: ValidMemory, metadataText: String, source: MemorySource) {
        id = UUID().uuidString.lowercased()
        slug = memory.slug
        category = memory.category
        content = memory.content
        metadata = memory.metadata
        self.metadataText = metadataText
        self.source = source.rawValue
        version = 1
        deleted = false
        syncState = .pending
        isNew = true
    }

    mutating func apply(_ memory: ValidMemory, metadataText: String, source: MemorySource) {
        category = memory.category
        content = memory.content
        metadata = memory.metadata
        self.metadataText = metadataText
        self.source = source.rawValue
        version += 1
        deleted = false
        if syncState != .inFlight { syncState = .pending }
        changed = true
    }

    mutating func adoptForLoader() {
        source = MemorySource.loader.rawValue
        sourceChanged = true
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, category, content, source, version
        case metadata = "extra_metadata"
    }

    /// The rows as the JSON array `jsonb_to_recordset` reads: one parameter for the whole batch.
    static func payload(_ rows: [PendingRow]) throws -> String {
        String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
    }
}
