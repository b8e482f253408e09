import BrainCore
import Foundation
import PostgresNIO
import Synchronization

/// Reads live memories in export order (brain, owner RUT, slug) a page at a time by keyset, so
/// memory stays bounded by the page size whatever the database holds.
///
/// Unlike the SQLite exporter it reads no snapshot: holding one open would pin a pooled
/// connection in a transaction for the whole export. Rows saved during a long export appear if
/// their key is still ahead of the cursor; none is read twice or skipped.
final class PostgresExporter: MemoryExporting, Sendable {
    private let store: PostgresStore
    private let brains: [BrainKind]
    private let owner: OwnerReference?
    private let rowsPerPage: Int

    private struct Position: Sendable {
        var brainIndex = 0
        var rut = ""
        var slug = ""
    }

    private let position = Mutex(Position())

    init(store: PostgresStore, brain: BrainKind?, owner: OwnerReference?, rowsPerPage: Int) {
        self.store = store
        brains = brain.map { [$0] } ?? BrainKind.allCases
        self.owner = owner
        self.rowsPerPage = rowsPerPage
    }

    func count() async throws -> Int {
        let (brains, owner, store) = (self.brains, self.owner, self.store)
        return try await store.read { connection in
            var total = 0
            for brain in brains {
                total += try await connection.rows(
                    """
                    SELECT count(*) FROM \(unescaped: brain.table) b \(unescaped: PostgresBrainRow.ownerJoin(brain))
                    WHERE NOT b.deleted AND (\(owner.map(\.description))::text IS NULL OR o.rut = \(owner.map(\.description))
                                             OR o.id::text = \(owner.map(\.description)))
                    """, logger: store.logger
                ).first?.decode(Int.self) ?? 0
            }
            return total
        }
    }

    func nextPage() async throws -> [MemoryExportLine] {
        var position = self.position.withLock { $0 }
        let (brains, owner, store, limit) = (self.brains, self.owner, self.store, self.rowsPerPage)
        var lines: [MemoryExportLine] = []
        while lines.isEmpty && position.brainIndex < brains.count {
            let brain = brains[position.brainIndex]
            let start = position
            lines = try await store.read { connection in
                try await connection.rows(
                    """
                    SELECT o.rut, b.slug::text, b.category, b.content, b.extra_metadata::text, b.created_at, b.updated_at
                    FROM \(unescaped: brain.table) b \(unescaped: PostgresBrainRow.ownerJoin(brain))
                    WHERE NOT b.deleted AND (o.rut COLLATE "C", b.slug::text COLLATE "C") > (\(start.rut), \(start.slug))
                      AND (\(owner.map(\.description))::text IS NULL OR o.rut = \(owner.map(\.description))
                           OR o.id::text = \(owner.map(\.description)))
                    ORDER BY o.rut COLLATE "C", b.slug::text COLLATE "C" LIMIT \(limit)
                    """, logger: store.logger
                ).map { row in
                    let (rut, slug, category, content, metadata, created, updated) =
                        try row.decode((String, String, String?, String, String, Date, Date).self)
                    return MemoryExportLine(
                        brain: brain, owner: rut, slug: slug, category: category, content: content,
                        metadataJSON: PostgresExporter.canonical(metadata), createdAt: Timestamp.string(from: created),
                        updatedAt: Timestamp.string(from: updated))
                }
            }
            if let last = lines.last, lines.count == limit {
                position = Position(brainIndex: position.brainIndex, rut: last.owner, slug: last.slug)
            } else {
                position = Position(brainIndex: position.brainIndex + 1)
            }
        }
        let final = position
        self.position.withLock { $0 = final }
        return lines
    }

    /// jsonb prints its own key order and spacing; exports carry canonical JSON as the SQLite
    /// store's do, so files compare byte for byte across stores.
    static func canonical(_ text: String) -> String {
        guard text != "{}", let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
            let canonical = try? CanonicalJSON.encode(value)
        else { return text }
        return canonical
    }
}
