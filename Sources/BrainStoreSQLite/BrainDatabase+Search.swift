import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Full-text search of one owner's live memories, best first (bm25). Case and accents are
    /// ignored; every word must match as a whole word. Sees every save acknowledged before it
    /// began: it waits for the search index to follow the store that far (see `SearchIndex`).
    public func searchLocal(_ brain: BrainKind, owner reference: OwnerReference, query: String, limit: Int = 10) async throws -> [SearchHit] {
        let terms = try SearchTerms(query: query, limit: limit)
        let (owner, lastChange) = try await storageRead { db in
            (try Owner.resolve(reference, brain: brain, create: false, in: db), try SearchIndexSQL.lastChange(db))
        }
        try await searchIndex.catchUp(through: lastChange)
        let ownerToken = "o" + owner.id.replacingOccurrences(of: "-", with: "")
        let hits = try await searchIndex.match(brain, ownerToken: ownerToken, words: terms.words, limit: limit)
        guard !hits.isEmpty else { return [] }
        return try await storageRead { db in
            // A row changed since the index read it may be gone, or no longer this owner's.
            try hits.compactMap { hit -> SearchHit? in
                guard let row = try BrainRow.fetchOne(
                    db, sql: BrainRow.select(brain) + " WHERE b.rowid = ? AND b.deleted = 0 AND b.\(brain.ownerColumn) = ?",
                    arguments: [hit.rowid, owner.id])
                else { return nil }
                return SearchHit(memory: row.memory(brain: brain), score: -hit.rank)
            }
        }
    }

    /// Live memories of one owner with these Mem0 ids, for mapping remote hits back to rows.
    public func memories(_ brain: BrainKind, owner reference: OwnerReference, memoryIDs: [String]) async throws -> [String: Memory] {
        guard !memoryIDs.isEmpty else { return [:] }
        return try await storageRead { db in
            let owner = try Owner.resolve(reference, brain: brain, create: false, in: db)
            let placeholders = Array(repeating: "?", count: memoryIDs.count).joined(separator: ",")
            let rows = try BrainRow.fetchAll(
                db,
                sql: BrainRow.select(brain) + " WHERE b.\(brain.ownerColumn) = ? AND b.deleted = 0 AND b.memory_id IN (\(placeholders))",
                arguments: StatementArguments([owner.id] + memoryIDs))
            return Dictionary(rows.map { ($0.memoryID ?? "", $0.memory(brain: brain)) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The Mem0 entity id (normalized RUT) of an owner.
    public func entity(_ brain: BrainKind, owner reference: OwnerReference) async throws -> String {
        try await storageRead { db in try Owner.resolve(reference, brain: brain, create: false, in: db).rut }
    }
}
