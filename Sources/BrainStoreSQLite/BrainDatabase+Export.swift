import BrainCore
import Foundation
import GRDB
import Synchronization

/// Reads every live memory in export order (brain, owner RUT, slug) a page at a time, from one
/// point in time: on a file database it reads from a snapshot taken when the export starts, so
/// saves during a long export neither appear half-way nor shift the pages. Memory stays bounded
/// by the page size whatever the database holds.
public final class MemoryExporter: MemoryExporting {
    private let reader: any DatabaseReader
    private let brains: [BrainKind]
    private let owner: OwnerReference?
    /// Owners read per query, and rows per page.
    private let ownersPerQuery = 256
    private let rowsPerPage: Int

    /// Where the next page starts: after `slug` of the owner with `rut` in `brain`.
    private struct Position: Sendable {
        var brainIndex = 0
        var rut = ""
        var slug: String?
    }

    private let position = Mutex(Position())

    init(reader: any DatabaseReader, brain: BrainKind?, owner: OwnerReference?, rowsPerPage: Int) {
        self.reader = reader
        brains = brain.map { [$0] } ?? BrainKind.allCases
        self.owner = owner
        self.rowsPerPage = rowsPerPage
    }

    /// How many lines the whole export holds (read from the same snapshot as the pages).
    public func count() async throws -> Int {
        let (brains, owner) = (self.brains, self.owner)
        return try await reader.read { db in
            try brains.reduce(0) { total, brain in
                let ownerFilter = owner.map { " AND \(brain.ownerColumn) = (SELECT id FROM \(brain.ownerTable) WHERE \($0.isID ? "id" : "rut") = ?)" } ?? ""
                var arguments = StatementArguments()
                if let owner { arguments += [owner.description] }
                return total + (try Int.fetchOne(db, sql: "SELECT count(*) FROM \(brain.table) WHERE deleted = 0" + ownerFilter, arguments: arguments) ?? 0)
            }
        }
    }

    /// The next lines, or an empty array at the end.
    public func nextPage() async throws -> [MemoryExportLine] {
        var position = self.position.withLock { $0 }
        var lines: [MemoryExportLine] = []
        let brains = self.brains
        let owner = self.owner
        let (ownersPerQuery, rowsPerPage) = (self.ownersPerQuery, self.rowsPerPage)
        while lines.isEmpty && position.brainIndex < brains.count {
            let brain = brains[position.brainIndex]
            let start = position
            let (page, next) = try await reader.read { db -> ([MemoryExportLine], Position?) in
                try Self.read(brain, from: start, owner: owner, ownersPerQuery: ownersPerQuery, limit: rowsPerPage, in: db)
            }
            lines = page
            if let next {
                position = next
            } else {
                position = Position(brainIndex: position.brainIndex + 1)
            }
        }
        let final = position
        self.position.withLock { $0 = final }
        return lines
    }

    /// Up to `limit` rows of one brain after `start`; the position after them, or nil when the brain is done.
    private static func read(
        _ brain: BrainKind, from start: Position, owner: OwnerReference?, ownersPerQuery: Int, limit: Int, in db: Database
    ) throws -> ([MemoryExportLine], Position?) {
        var lines: [MemoryExportLine] = []
        let rowsSQL = """
            SELECT slug, category, content, extra_metadata, created_at, updated_at FROM \(brain.table)
            WHERE \(brain.ownerColumn) = ? AND deleted = 0 AND slug > ? ORDER BY slug LIMIT ?
            """
        /// Appends one owner's rows after `slug`; true when the page is full.
        func append(ownerID: String, rut: String, after slug: String) throws -> Bool {
            let rows = try Row.fetchAll(db.cachedStatement(sql: rowsSQL), arguments: [ownerID, slug, limit - lines.count])
            for row in rows {
                lines.append(MemoryExportLine(
                    brain: brain, owner: rut, slug: row["slug"], category: row["category"], content: row["content"],
                    metadataJSON: row["extra_metadata"], createdAt: row["created_at"], updatedAt: row["updated_at"]))
            }
            return lines.count == limit
        }
        var rut = start.rut
        // The owner the previous page stopped in may have rows left.
        if let slug = start.slug,
            let id = try String.fetchOne(db, sql: "SELECT id FROM \(brain.ownerTable) WHERE rut = ?", arguments: [rut]),
            try append(ownerID: id, rut: rut, after: slug)
        {
            return (lines, Position(brainIndex: start.brainIndex, rut: rut, slug: lines.last?.slug))
        }
        while true {
            let owners: [Row]
            if let owner {
                owners = try Row.fetchAll(
                    db, sql: "SELECT id, rut FROM \(brain.ownerTable) WHERE \(owner.isID ? "id" : "rut") = ? AND rut > ?",
                    arguments: [owner.description, rut])
            } else {
                owners = try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT id, rut FROM \(brain.ownerTable) WHERE rut > ? ORDER BY rut LIMIT ?"),
                    arguments: [rut, ownersPerQuery])
            }
            for row in owners {
                rut = row["rut"]
                if try append(ownerID: row["id"], rut: rut, after: "") {
                    return (lines, Position(brainIndex: start.brainIndex, rut: rut, slug: lines.last?.slug))
                }
            }
            if owner != nil || owners.count < ownersPerQuery { return (lines, nil) }
        }
    }
}

extension BrainDatabase {
    /// An export of live memories, optionally one brain and one owner.
    /// - Parameter rowsPerPage: lines per `nextPage()`.
    public func makeExporter(brain: BrainKind? = nil, owner: OwnerReference? = nil, rowsPerPage: Int = 1_000) throws -> any MemoryExporting {
        let reader: any DatabaseReader
        if let pool = writer as? DatabasePool {
            reader = try pool.makeSnapshot()
        } else {
            reader = writer
        }
        return MemoryExporter(reader: reader, brain: brain, owner: owner, rowsPerPage: rowsPerPage)
    }
}
