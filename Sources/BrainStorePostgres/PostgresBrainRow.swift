import BrainCore
import Foundation
import PostgresNIO

/// A brain table row joined with its owner's RUT: the PostgreSQL twin of the SQLite store's
/// `BrainRow`. Both brain tables share this shape; the table is chosen by `BrainKind`.
struct PostgresBrainRow: Sendable {
    var id: String
    var ownerID: String
    var ownerRUT: String
    var memoryID: String?
    var slug: String
    var category: String?
    var content: String
    var metadata: [String: JSONValue]
    var createdAt: Date
    var updatedAt: Date
    var version: Int
    var syncedVersion: Int
    var syncState: SyncState
    var lastError: String?
    var pushStartedAt: Date?
    var deleted: Bool
    var attempts: Int
    /// Who wrote the row last: `save` (an agent) or `loader`.
    var source: String

    /// `SELECT` of every column this type reads, in the order `init(row:)` decodes them.
    static func select(_ brain: BrainKind) -> String {
        "SELECT \(columns(brain)) FROM \(brain.table) b \(ownerJoin(brain))"
    }

    /// The columns, from a brain row aliased `b` and its owner aliased `o`.
    static func columns(_ brain: BrainKind) -> String {
        """
        b.id::text, b.\(brain.ownerColumn)::text, o.rut, b.memory_id::text, b.slug::text, b.category,
               b.content, b.extra_metadata::text, b.created_at, b.updated_at, b.version, b.synced_version,
               b.sync_state, b.last_error, b.push_started_at, b.deleted, b.sync_attempts, b.source
        """
    }

    static func ownerJoin(_ brain: BrainKind) -> String {
        "JOIN \(brain.ownerTable) o ON o.id = b.\(brain.ownerColumn)"
    }

    init(row: PostgresRow) throws {
        let cells = row.makeRandomAccess()
        id = try cells[0].decode(String.self)
        ownerID = try cells[1].decode(String.self)
        ownerRUT = try cells[2].decode(String?.self) ?? ""
        memoryID = try cells[3].decode(String?.self)
        slug = try cells[4].decode(String.self)
        category = try cells[5].decode(String?.self)
        content = try cells[6].decode(String.self)
        metadata = Self.metadata(try cells[7].decode(String.self))
        createdAt = try cells[8].decode(Date.self)
        updatedAt = try cells[9].decode(Date.self)
        version = try cells[10].decode(Int.self)
        syncedVersion = try cells[11].decode(Int.self)
        syncState = SyncState(rawValue: try cells[12].decode(String.self)) ?? .pending
        lastError = try cells[13].decode(String?.self)
        pushStartedAt = try cells[14].decode(Date?.self)
        deleted = try cells[15].decode(Bool.self)
        attempts = try cells[16].decode(Int.self)
        source = try cells[17].decode(String.self)
    }

    /// Decodes stored metadata; most rows carry none, and skipping the decoder for `{}` matters
    /// when a reconcile reads thousands of rows.
    static func metadata(_ text: String) -> [String: JSONValue] {
        guard text != "{}" else { return [:] }
        return (try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))) ?? [:]
    }

    func memory(brain: BrainKind) -> Memory {
        Memory(
            id: id, brain: brain, ownerID: ownerID, ownerRUT: ownerRUT, slug: slug, category: category,
            content: content, metadata: metadata, memoryID: memoryID, version: version,
            syncedVersion: syncedVersion, syncState: syncState, lastError: lastError,
            createdAt: Timestamp.string(from: createdAt), updatedAt: Timestamp.string(from: updatedAt))
    }

    func pushTask(brain: BrainKind) -> PushTask {
        PushTask(
            brain: brain, recordID: id, entityID: ownerRUT, slug: slug, category: category, content: content,
            metadata: metadata, memoryID: memoryID, version: version, deleted: deleted,
            addOutcomeUnknown: pushStartedAt != nil && memoryID == nil, attempts: attempts)
    }

    func reconcileRow(brain: BrainKind) -> ReconcileRow {
        ReconcileRow(task: pushTask(brain: brain), syncState: syncState, syncedVersion: syncedVersion)
    }
}

extension PostgresConnection {
    /// Runs a query and collects its rows (the store's results are small: pages and batches).
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// The brain rows a query over `PostgresBrainRow.select(brain)` returns.
    func brainRows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresBrainRow] {
        try await rows(query, logger: logger).map(PostgresBrainRow.init(row:))
    }

    /// Runs a statement and returns how many rows it returned: a statement with `RETURNING 1`
    /// answers how many rows it changed.
    @discardableResult
    func execute(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        try await self.query(query, logger: logger).collect().count
    }
}
