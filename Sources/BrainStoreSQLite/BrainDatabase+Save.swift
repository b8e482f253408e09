import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Saves a batch of memories for one owner: the seed's `save_company_memories` /
    /// `save_user_memories`, made durable locally before it returns.
    ///
    /// Each item is upserted by (owner, slug): a new slug is `created`; a changed content, category
    /// or metadata is `updated` (version + 1, pending push); an identical item is `unchanged` and
    /// writes nothing. An invalid item fails alone; the valid items commit in one transaction.
    /// An owner named by a RUT not seen before is created.
    public func save(
        _ brain: BrainKind, owner reference: OwnerReference, memories: [MemoryInput]
    ) async throws -> SaveBatchResult {
        try await save(brain, owner: reference, memories: memories, source: .save)
    }

    /// A save recording who writes: agents' saves are `.save`, a load's are `.loader`.
    public func save(
        _ brain: BrainKind, owner reference: OwnerReference, memories: [MemoryInput], source: MemorySource
    ) async throws -> SaveBatchResult {
        // Validation needs no database, so it runs before the write lock is taken.
        let validated = try SaveBatch.validate(memories)
        let writes = validated.compactMap { try? $0.get() }
        var written: [SaveItemResult] = []
        if !writes.isEmpty {
            do {
                written = try await groupCommit.submit(writer: writer, items: writes.count) { db in
                    let owner = try Owner.resolve(reference, brain: brain, create: true, in: db)
                    return try writes.map { try Self.upsert($0, brain: brain, owner: owner, source: source, in: db) }
                }
                storageHealth.succeeded()
            } catch {
                storageHealth.observe(error, logged: fileWatch?.isLost == true)
                throw error
            }
        } else if case .id = reference {
            // Still report an unknown owner id, even when every item is invalid.
            _ = try await storageRead { db in try Owner.resolve(reference, brain: brain, create: false, in: db) }
        }
        var writtenResults = written.makeIterator()
        let items = validated.enumerated().map { index, outcome -> SaveItemResult in
            switch outcome {
            case .success: return writtenResults.next()!
            case .failure(let error):
                let slug = memories[index].slug
                return SaveItemResult(slug: slug, status: .failed, syncState: nil, error: error.description)
            }
        }
        return SaveBatchResult(items: items, brain: brain)
    }

    /// Upserts one validated memory inside the caller's transaction.
    private static func upsert(
        _ memory: ValidMemory, brain: BrainKind, owner: Owner, source: MemorySource, in db: Database
    ) throws -> SaveItemResult {
        let metadataText = try CanonicalJSON.encode(memory.metadata)
        let now = Timestamp.now()
        // Cached statements: the save path runs these for every item, and preparing SQL (with
        // GRDB's authorizer) cost more than executing it.
        let existing = try BrainRow.fetchOne(
            db.cachedStatement(sql: BrainRow.select(brain) + " WHERE b.\(brain.ownerColumn) = ? AND b.slug = ?"),
            arguments: [owner.id, memory.slug])

        let decision = SaveRule.decide(
            existing: existing.map {
                StoredMemoryState(
                    content: $0.content, category: $0.category, metadataText: $0.extraMetadata, deleted: $0.deleted,
                    source: $0.source, syncState: $0.syncState)
            },
            incoming: memory, metadataText: metadataText, source: source)
        let result = SaveRule.result(decision, slug: memory.slug, existingState: existing?.syncState)
        switch decision {
        case .insert:
            let id = UUID().uuidString.lowercased()
            try db.cachedStatement(
                sql: """
                    INSERT INTO \(brain.table) (id, \(brain.ownerColumn), slug, category, content, extra_metadata,
                                               created_at, updated_at, source)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [id, owner.id, memory.slug, memory.category, memory.content, metadataText, now, now, source.rawValue])
            try EventJournal.append(.created, brain: brain, ownerID: owner.id, recordID: id, slug: memory.slug, version: 1, in: db)
        case .unchanged(let adoptForLoader):
            if adoptForLoader, let existing {
                try db.cachedStatement(sql: "UPDATE \(brain.table) SET source = ? WHERE id = ?")
                    .execute(arguments: [source.rawValue, existing.id])
            }
        case .update(let resurrect):
            guard let existing else { preconditionFailure("an update has a row") }
            let version = existing.version + 1
            try db.cachedStatement(
                sql: """
                    UPDATE \(brain.table)
                    SET category = ?, content = ?, extra_metadata = ?, updated_at = ?, version = ?, deleted = 0, source = ?,
                        sync_state = CASE sync_state WHEN 'in_flight' THEN 'in_flight' ELSE 'pending' END,
                        sync_attempts = 0, next_attempt_at = NULL, last_error = NULL,
                        created_at = CASE WHEN deleted = 1 THEN ? ELSE created_at END
                    WHERE id = ?
                    """
            ).execute(arguments: [memory.category, memory.content, metadataText, now, version, source.rawValue, now, existing.id])
            try EventJournal.append(
                resurrect ? .created : .updated, brain: brain, ownerID: owner.id, recordID: existing.id,
                slug: memory.slug, version: version, in: db)
        }
        return result
    }

    /// Runs a write transaction, turning SQLite's "cannot write" failures into `storageUnavailable`
    /// so callers can answer 503 and keep serving reads.
    func storageWrite<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try fileWatch?.check()
        do {
            let value = try await writer.write(updates)
            storageHealth.succeeded()
            return value
        } catch {
            let mapped = Self.storageError(error)
            storageHealth.observe(mapped, logged: fileWatch?.isLost == true)
            throw mapped
        }
    }

    /// Runs a read, answering `storageUnavailable` rather than a SQLite error once the database
    /// file is lost (a new reader connection cannot open a deleted file).
    func storageRead<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try fileWatch?.check()
        do {
            return try await writer.read(value)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// SQLite's "cannot write" failures become `storageUnavailable`; other errors pass through.
    static func storageError(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_FULL, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_BUSY:
            return BrainError.storageUnavailable(reason: error.message ?? "\(error.resultCode)")
        default:
            return error
        }
    }
}
