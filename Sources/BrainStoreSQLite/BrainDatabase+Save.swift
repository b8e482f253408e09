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
                searchIndex.noteChanges()
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
        let metadataText = memory.metadataText
        let now = Timestamp.now()
        let sql = SaveSQL.all[brain]
        // Cached statements run directly (see DirectStatement): the save path runs these for
        // every item, and preparing SQL (with GRDB's authorizer) cost more than executing it.
        let existing = try SaveTarget.fetch(DirectStatement(db, sql: sql.target), owner: owner.id, slug: memory.slug)
        let decision = SaveRule.decide(existing: existing?.state, incoming: memory, metadataText: metadataText, source: source)
        let result = SaveRule.result(decision, slug: memory.slug, existingState: existing?.state.syncState)
        switch decision {
        case .insert:
            // Time-ordered: the id appends to its indexes instead of dirtying a random page.
            let id = TimeOrderedID.make()
            try DirectStatement(db, sql: sql.insert)
                .execute(id, owner.id, memory.slug, memory.category, memory.content, metadataText, now, now, source.rawValue)
            try EventJournal.append(.created, brain: brain, ownerID: owner.id, recordID: id, slug: memory.slug, version: 1, at: now, in: db)
        case .unchanged(let adoptForLoader):
            if adoptForLoader, let existing {
                try DirectStatement(db, sql: sql.adopt).execute(source.rawValue, existing.id)
            }
        case .update(let resurrect):
            guard let existing else { preconditionFailure("an update has a row") }
            let version = existing.version + 1
            let update = try DirectStatement(db, sql: sql.update)
            update.bind(memory.category, memory.content, metadataText, now)
            update.bind(5, version)
            update.bind(source.rawValue, now, existing.id, from: 6)
            try update.execute()
            try EventJournal.append(
                resurrect ? .created : .updated, brain: brain, ownerID: owner.id, recordID: existing.id,
                slug: memory.slug, version: version, at: now, in: db)
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
            searchIndex.noteChanges()
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

/// What a save needs of the row it may replace: 8 columns read by position, where the full
/// `BrainRow` read 18 by name and joined the owner (5 % of braind's samples on the save path).
private struct SaveTarget {
    var id: String
    var version: Int
    var state: StoredMemoryState

    static func fetch(_ statement: DirectStatement, owner: String, slug: String) throws -> SaveTarget? {
        try statement.fetchFirst(owner, slug) { row in
            SaveTarget(
                id: row.string(0), version: row.integer(7),
                state: StoredMemoryState(
                    content: row.string(1), category: row.text(2), metadataText: row.string(3), deleted: row.integer(4) != 0,
                    source: row.text(5).flatMap(MemorySource.init(rawValue:)) ?? .save,
                    syncState: SyncState(rawValue: row.string(6)) ?? .pending))
        }
    }
}

/// The save path's SQL for each brain, built once (see `PerBrain`).
private struct SaveSQL {
    let target: String
    let insert: String
    let adopt: String
    let update: String

    static let all = PerBrain(SaveSQL.init)

    private init(_ brain: BrainKind) {
        target = """
            SELECT id, content, category, extra_metadata, deleted, source, sync_state, version
            FROM \(brain.table) WHERE \(brain.ownerColumn) = ? AND slug = ?
            """
        insert = """
            INSERT INTO \(brain.table) (id, \(brain.ownerColumn), slug, category, content, extra_metadata,
                                       created_at, updated_at, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        adopt = "UPDATE \(brain.table) SET source = ? WHERE id = ?"
        update = """
            UPDATE \(brain.table)
            SET category = ?, content = ?, extra_metadata = ?, updated_at = ?, version = ?, deleted = 0, source = ?,
                sync_state = CASE sync_state WHEN 'in_flight' THEN 'in_flight' ELSE 'pending' END,
                sync_attempts = 0, next_attempt_at = NULL, last_error = NULL,
                created_at = CASE WHEN deleted = 1 THEN ? ELSE created_at END
            WHERE id = ?
            """
    }
}
