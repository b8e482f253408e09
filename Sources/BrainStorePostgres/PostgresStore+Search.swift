import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Full-text search of one owner's live memories, best first. Case and accents are ignored;
    /// every word must match as a whole word, as in the SQLite store.
    public func searchLocal(_ brain: BrainKind, owner reference: OwnerReference, query: String, limit: Int = 10) async throws -> [SearchHit] {
        let terms = try SearchTerms(query: query, limit: limit)
        return try await read { connection in try await self.search(brain, owner: reference, terms: terms, on: connection) }
    }

    /// Live memories of one owner with these Mem0 ids, for mapping remote hits back to rows.
    public func memories(_ brain: BrainKind, owner reference: OwnerReference, memoryIDs: [String]) async throws -> [String: Memory] {
        guard !memoryIDs.isEmpty else { return [:] }
        return try await read { connection in
            try await self.memories(brain, owner: reference, memoryIDs: memoryIDs, on: connection)
        }
    }

    /// The Mem0 entity id (normalized RUT) of an owner.
    public func entity(_ brain: BrainKind, owner reference: OwnerReference) async throws -> String {
        try await resolve(reference, brain: brain).rut
    }

    func search(_ brain: BrainKind, owner reference: OwnerReference, terms: SearchTerms, on connection: PostgresConnection) async throws -> [SearchHit] {
        let owner = try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: logger)
        // The owner token ANDed with the words lets the GIN index answer for this owner only
        // (see schema 0003). Weights: owner 0, category 0.2, slug 0.4, content 1.
        let text = (["o" + owner.id.replacingOccurrences(of: "-", with: "")] + terms.words).joined(separator: " ")
        let rows = try await connection.rows(
            """
            WITH q AS (SELECT plainto_tsquery('simple', braind_unaccent(\(text))) AS query)
            SELECT \(unescaped: PostgresBrainRow.columns(brain)), ts_rank(b.search, q.query) AS rank
            FROM \(unescaped: brain.table) b \(unescaped: PostgresBrainRow.ownerJoin(brain)) CROSS JOIN q
            WHERE b.search @@ q.query AND b.\(unescaped: brain.ownerColumn) = \(UUID(uuidString: owner.id)!) AND NOT b.deleted
            ORDER BY rank DESC, b.slug LIMIT \(terms.limit)
            """, logger: logger)
        return try rows.map { row in
            let memory = try PostgresBrainRow(row: row).memory(brain: brain)
            let rank = try row.makeRandomAccess()[18].decode(Float.self)
            return SearchHit(memory: memory, score: Double(rank))
        }
    }

    func memories(
        _ brain: BrainKind, owner reference: OwnerReference, memoryIDs: [String], on connection: PostgresConnection
    ) async throws -> [String: Memory] {
        let owner = try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: logger)
        let rows = try await connection.brainRows(
            """
            \(unescaped: PostgresBrainRow.select(brain))
            WHERE b.\(unescaped: brain.ownerColumn) = \(UUID(uuidString: owner.id)!) AND NOT b.deleted AND b.memory_id = ANY(\(memoryIDs))
            """, logger: logger)
        return Dictionary(rows.map { ($0.memoryID ?? "", $0.memory(brain: brain)) }, uniquingKeysWith: { first, _ in first })
    }
}
