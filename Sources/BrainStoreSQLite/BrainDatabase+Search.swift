import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Full-text search of one owner's live memories, best first (bm25). Case and accents are
    /// ignored; every word must match as a whole word.
    public func searchLocal(_ brain: BrainKind, owner reference: OwnerReference, query: String, limit: Int = 10) async throws -> [SearchHit] {
        let terms = try SearchTerms(query: query, limit: limit)
        let table = brain == .company ? "company_search" : "user_search"
        return try await storageRead { db in
            let owner = try Owner.resolve(reference, brain: brain, create: false, in: db)
            // The owner token narrows the match inside the index, so cost follows the owner's
            // memories, not the whole table. Words are quoted: user text never becomes FTS syntax.
            let ownerToken = "o" + owner.id.replacingOccurrences(of: "-", with: "")
            // Whole words only: a prefix query makes FTS5 merge every matching term's full list
            // across all owners before the owner filter applies (37 ms p99 over 1M memories),
            // while whole words are seeked through the owner's short list.
            let match = "owner : \"\(ownerToken)\" AND " + terms.words.map { "\"\($0)\"" }.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.rowid AS search_rowid, bm25(\(table), 10.0, 4.0, 2.0, 0.0) AS rank
                    FROM \(table) s WHERE \(table) MATCH ? ORDER BY rank LIMIT ?
                    """,
                arguments: [match, limit])
            return try rows.compactMap { hit -> SearchHit? in
                let rowid: Int64 = hit["search_rowid"]
                guard let row = try BrainRow.fetchOne(db, sql: BrainRow.select(brain) + " WHERE b.rowid = ? AND b.deleted = 0", arguments: [rowid])
                else { return nil }
                let rank: Double = hit["rank"]
                return SearchHit(memory: row.memory(brain: brain), score: -rank)
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
