import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Largest number of hits a search returns.
    public static let maxSearchLimit = 100

    /// Full-text search of one owner's live memories, best first. Case and accents are ignored;
    /// every word must match as a whole word, as in the SQLite store.
    public func searchLocal(_ brain: BrainKind, owner reference: OwnerReference, query: String, limit: Int = 10) async throws -> [SearchHit] {
        guard (1...Self.maxSearchLimit).contains(limit) else {
            throw BrainError.invalid(field: "limit", reason: "must be between 1 and \(Self.maxSearchLimit)")
        }
        // Runs of letters and digits, at most 16: user text never becomes tsquery syntax.
        let words = query.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).prefix(16).map(String.init)
        guard !words.isEmpty else { throw BrainError.invalid(field: "q", reason: "must contain at least one word") }
        return try await read { connection in
            let owner = try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: self.logger)
            // The owner token ANDed with the words lets the GIN index answer for this owner only
            // (see schema 0003). Weights: owner 0, category 0.2, slug 0.4, content 1.
            let text = (["o" + owner.id.replacingOccurrences(of: "-", with: "")] + words).joined(separator: " ")
            let rows = try await connection.rows(
                """
                WITH q AS (SELECT plainto_tsquery('simple', braind_unaccent(\(text))) AS query)
                SELECT \(unescaped: PostgresBrainRow.columns(brain)), ts_rank(b.search, q.query) AS rank
                FROM \(unescaped: brain.table) b \(unescaped: PostgresBrainRow.ownerJoin(brain)) CROSS JOIN q
                WHERE b.search @@ q.query AND b.\(unescaped: brain.ownerColumn) = \(UUID(uuidString: owner.id)!) AND NOT b.deleted
                ORDER BY rank DESC, b.slug LIMIT \(limit)
                """, logger: self.logger)
            return try rows.map { row in
                let memory = try PostgresBrainRow(row: row).memory(brain: brain)
                let rank = try row.makeRandomAccess()[18].decode(Float.self)
                return SearchHit(memory: memory, score: Double(rank))
            }
        }
    }

    /// Live memories of one owner with these Mem0 ids, for mapping remote hits back to rows.
    public func memories(_ brain: BrainKind, owner reference: OwnerReference, memoryIDs: [String]) async throws -> [String: Memory] {
        guard !memoryIDs.isEmpty else { return [:] }
        return try await read { connection in
            let owner = try await Self.resolve(reference, brain: brain, create: false, on: connection, logger: self.logger)
            let rows = try await connection.brainRows(
                """
                \(unescaped: PostgresBrainRow.select(brain))
                WHERE b.\(unescaped: brain.ownerColumn) = \(UUID(uuidString: owner.id)!) AND NOT b.deleted AND b.memory_id = ANY(\(memoryIDs))
                """, logger: self.logger)
            return Dictionary(rows.map { ($0.memoryID ?? "", $0.memory(brain: brain)) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The Mem0 entity id (normalized RUT) of an owner.
    public func entity(_ brain: BrainKind, owner reference: OwnerReference) async throws -> String {
        try await resolve(reference, brain: brain).rut
    }
}
